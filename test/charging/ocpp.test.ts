import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { DEMO_OCPP_PASSWORD } from '../../src/modules/charging/index.js';
import { SimulatedStation } from '../../src/modules/charging/simulator.js';
import { client, listen, rawExchange, until, upgradeStatus } from './ocpp-support.js';

const drivers = await testDrivers();

describe.each(drivers)('OCPP 1.6J central system on %s', (driver) => {
  let t: TestPlatform;
  let url: string;
  let admin: ApiClient;
  const stationId = async (identity: string) => (await t.platform.charging.service.findStationByIdentity(identity))!.id;
  const db = () => t.platform.database.db;

  beforeAll(async () => {
    t = await startTestPlatform(driver, { env: { CHARGING_COMMAND_TIMEOUT_SECONDS: '1' } });
    url = await listen(t.app);
    admin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
  });
  afterAll(() => t?.close());

  it('refuses an unknown identity, a wrong password and no password with 401 at the upgrade', async () => {
    expect(await upgradeStatus(client(url, 'NOT-REGISTERED', DEMO_OCPP_PASSWORD))).toBe(401);
    expect(await upgradeStatus(client(url, 'DEMO-CS-01', 'wrong-password-of-16'))).toBe(401);
    expect(await upgradeStatus(client(url, 'DEMO-CS-01', undefined))).toBe(401);
    expect(await upgradeStatus(client(url, 'DEMO-CS-01', DEMO_OCPP_PASSWORD))).toBe(101);
  });

  it('runs a whole session: boot, statuses, authorisation, meter values, stop with energy and cost', async () => {
    const statuses: unknown[] = [];
    const off = t.platform.bus.subscribe('charging.charging_station.status', (e) => void statuses.push(e.data));
    const station = new SimulatedStation({ url, identity: 'DEMO-CS-02', password: DEMO_OCPP_PASSWORD, meterIntervalMs: 50, powerW: 22_000 });
    expect(await station.boot()).toBe('Accepted');
    const id = await stationId('DEMO-CS-02');
    expect((await t.platform.charging.service.getStation(id)).online).toBe(true);

    const transaction = (await station.startCharging(1, 'DEMO-TAG-004'))!;
    const live = await admin.get(`/api/charging/stations/${id}`);
    expect(live.json().chargePoints[0]).toMatchObject({ status: 'Charging', occupied: true });
    await until(async () => (await t.platform.charging.service.sessionMeterValues(transaction.transactionId)).length >= 12, 'meter values');
    transaction.stop('EVDisconnected');
    await transaction.stopped;
    off();

    const session = (await admin.get(`/api/charging/sessions?stationId=${id}&active=false&sort=-startedAt`)).json().items[0];
    expect(session).toMatchObject({ transactionId: transaction.transactionId, idTag: 'DEMO-TAG-004', connectorId: 1, stopReason: 'EVDisconnected', active: false });
    expect(session.energyKwh).toBeGreaterThan(0);
    const tariff = (await admin.get(`/api/charging/stations/${id}`)).json().tariff;
    expect(session.cost).toBeCloseTo(tariff.fixedFee + session.energyKwh * tariff.perKwh + (tariff.perMinute * (Date.parse(session.stoppedAt) - Date.parse(session.startedAt))) / 60_000, 1);
    const detail = (await admin.get(`/api/charging/sessions/${session.id}`)).json();
    expect(new Set(detail.meterValues.map((m: { measurand: string }) => m.measurand))).toEqual(new Set(['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'SoC']));

    const history = await db().selectFrom('charging_status_history').select(['connector_id', 'status']).where('station_id', '=', id).where('connector_id', '=', 1).orderBy('id').execute();
    expect(history.slice(-5).map((h) => h.status)).toEqual(['Available', 'Preparing', 'Charging', 'Finishing', 'Available']);
    expect(statuses).toContainEqual(expect.objectContaining({ stationId: id, connectorId: 1, status: 'Charging' }));
    const row = await db().selectFrom('charging_stations').select(['vendor', 'model', 'firmware_version', 'last_boot_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ vendor: 'Mutualis', model: 'SIM-22-2', firmware_version: '1.0.0' });
    await station.close();
    await until(async () => !(await t.platform.charging.service.getStation(id)).online, 'offline');
  });

  it('refuses blocked, expired and unknown badges', async () => {
    const c = client(url, 'DEMO-CS-03', DEMO_OCPP_PASSWORD);
    await c.connect();
    for (const [idTag, status] of [['DEMO-TAG-BLOCKED', 'Blocked'], ['DEMO-TAG-EXPIRED', 'Expired'], ['UNKNOWN-TAG', 'Invalid'], ['DEMO-TAG-001', 'Accepted']]) {
      expect(await c.call('Authorize', { idTag })).toMatchObject({ idTagInfo: { status } });
    }
    await c.close();
  });

  it('answers bad frames with the matching CallError and keeps the connection up', async () => {
    const c = client(url, 'DEMO-CS-04', DEMO_OCPP_PASSWORD);
    await c.connect();
    expect(await rawExchange(c, 'this is not json')).toEqual([4, '-1', 'FormationViolation', expect.any(String), {}]);
    expect((await rawExchange(c, '[9,"m0","Heartbeat",{}]')).slice(0, 3)).toEqual([4, '-1', 'ProtocolError']);
    expect((await rawExchange(c, '[2,"m1","BootNotification",{"chargePointVendor":5,"chargePointModel":"x"}]')).slice(0, 3)).toEqual([4, 'm1', 'TypeConstraintViolation']);
    expect((await rawExchange(c, '[2,"m2","BootNotification",{"chargePointModel":"x"}]')).slice(0, 3)).toEqual([4, 'm2', 'OccurrenceConstraintViolation']);
    expect((await rawExchange(c, '[2,"m3","Authorize",{"idTag":"DEMO-TAG-001","colour":"blue"}]')).slice(0, 3)).toEqual([4, 'm3', 'PropertyConstraintViolation']);
    expect((await rawExchange(c, '[2,"m5","Authorize",{"idTag":"A-BADGE-ID-FAR-TOO-LONG-FOR-OCPP"}]')).slice(0, 3)).toEqual([4, 'm5', 'FormationViolation']);
    expect((await rawExchange(c, '[2,"m4","FlyToTheMoon",{}]')).slice(0, 3)).toEqual([4, 'm4', 'NotImplemented']);
    expect(await c.call('Heartbeat', {})).toHaveProperty('currentTime');
    await c.close();
  });

  it('lets a second connection of the same identity replace the first', async () => {
    const first = client(url, 'DEMO-CS-05', DEMO_OCPP_PASSWORD);
    await first.connect();
    const closed = new Promise((resolve) => (first as unknown as { once(e: string, l: (e: unknown) => void): void }).once('close', resolve));
    const second = client(url, 'DEMO-CS-05', DEMO_OCPP_PASSWORD);
    await second.connect();
    await closed;
    expect(await second.call('Heartbeat', {})).toHaveProperty('currentTime');
    expect(t.platform.charging.service.isOnline(await stationId('DEMO-CS-05'))).toBe(true);
    await second.close();
  });

  it('stores messages queued offline in their order, keeps one session for a retried start, records an unknown stop as an anomaly', async () => {
    const id = await stationId('DEMO-CS-06');
    const c = client(url, 'DEMO-CS-06', DEMO_OCPP_PASSWORD);
    await c.connect();
    const base = Date.now() - 3_600_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    // Replayed after a network outage: past timestamps, in the order they happened.
    await c.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Preparing', timestamp: at(0) });
    const start = { connectorId: 2, idTag: 'DEMO-TAG-005', meterStart: 5000, timestamp: at(1) };
    const first = (await c.call('StartTransaction', start)) as { transactionId: number; idTagInfo: { status: string } };
    const retried = (await c.call('StartTransaction', start)) as { transactionId: number };
    expect(retried.transactionId).toBe(first.transactionId);
    expect(first.idTagInfo.status).toBe('Accepted');
    await c.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Charging', timestamp: at(1) });
    for (let m = 2; m <= 10; m += 1) {
      await c.call('MeterValues', { connectorId: 2, transactionId: first.transactionId, meterValue: [{ timestamp: at(m), sampledValue: [{ value: String(5000 + m * 300) }] }] });
    }
    await c.call('StopTransaction', { transactionId: first.transactionId, meterStop: 8000, timestamp: at(11), reason: 'EVDisconnected' });
    await c.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: at(12) });
    // A late duplicate of an older notification must not overwrite the current state.
    await c.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Charging', timestamp: at(5) });

    const sessions = await db().selectFrom('charging_sessions').selectAll().where('station_id', '=', id).where('meter_start', '=', 5000).execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ energy_wh: 3000, stop_reason: 'EVDisconnected' });
    expect(sessions[0]!.started_at.toISOString()).toBe(at(1));
    const values = await t.platform.charging.service.sessionMeterValues(first.transactionId);
    expect(values.map((v) => v.value)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map((m) => 5000 + m * 300));
    expect(values.map((v) => v.at)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10].map(at));
    const point = await db().selectFrom('charging_points').select(['status', 'status_at']).where('station_id', '=', id).where('connector_id', '=', 2).executeTakeFirstOrThrow();
    expect(point).toEqual({ status: 'Available', status_at: new Date(at(12)) });

    expect(await c.call('StopTransaction', { transactionId: 999_999, meterStop: 1, timestamp: at(13), idTag: 'DEMO-TAG-001' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    const anomalies = await t.platform.charging.service.stationEvents(id);
    expect(anomalies.find((e) => e.kind === 'anomaly')?.detail).toMatchObject({ kind: 'unknown_transaction', transactionId: 999_999 });
    await c.call('DataTransfer', { vendorId: 'fr.mutualis', messageId: 'Diag', data: 'hello' });
    await c.call('FirmwareStatusNotification', { status: 'Installed' });
    await c.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    const station = (await admin.get(`/api/charging/stations/${id}`)).json();
    expect(station).toMatchObject({ firmwareStatus: 'Installed', diagnosticsStatus: 'Uploaded' });
    expect((await admin.get(`/api/charging/stations/${id}/events`)).json().map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['data_transfer', 'firmware_status', 'diagnostics_status', 'anomaly', 'connected']));
    await c.close();
  });

  it('sends commands, stores their outcome, and says when the station is offline or silent', async () => {
    const id = await stationId('DEMO-CS-07');
    const offline = await admin.post(`/api/charging/stations/${id}/commands`, { action: 'Reset', payload: { type: 'Soft' } });
    expect(offline.statusCode).toBe(409);
    expect(offline.json().error.message).toContain('hors ligne');

    const station = new SimulatedStation({ url, identity: 'DEMO-CS-07', password: DEMO_OCPP_PASSWORD, meterIntervalMs: 50 });
    await station.boot();
    const technician = await ApiClient.signIn(t.app, 'technicien@mutualis.demo');
    const send = (action: string, payload: object) => technician.post(`/api/charging/stations/${id}/commands`, { action, payload });

    const reset = await send('Reset', { type: 'Soft' });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ action: 'Reset', status: 'answered', response: { status: 'Accepted' }, requestedBy: 'technicien@mutualis.demo' });
    const brutal = await send('Reset', { type: 'Brutal' });
    expect(brutal.statusCode).toBe(422);
    expect(brutal.json().error.details).toEqual([{ field: '/body/payload/type', message: expect.stringMatching(/valeurs prédéfinies/) }]);
    expect((await send('ChangeConfiguration', { key: 'NoSuchKey', value: '1' })).json()).toMatchObject({ status: 'rejected', response: { status: 'NotSupported' } });
    expect((await send('ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' })).json().status).toBe('answered');
    const config = await send('GetConfiguration', {});
    expect(config.json().response.configurationKey).toContainEqual({ key: 'HeartbeatInterval', readonly: false, value: '120' });
    expect((await admin.get(`/api/charging/stations/${id}`)).json().configuration.configurationKey).toContainEqual({ key: 'HeartbeatInterval', readonly: false, value: '120' });

    const remote = await send('RemoteStartTransaction', { connectorId: 2, idTag: 'DEMO-TAG-002' });
    expect(remote.json().status).toBe('answered');
    const open = await until(async () => (await admin.get(`/api/charging/sessions?stationId=${id}&active=true`)).json().items[0], 'remote session');
    expect((await send('RemoteStopTransaction', { transactionId: open.transactionId })).json().status).toBe('answered');
    await until(async () => (await admin.get(`/api/charging/sessions/${open.id}`)).json().stopReason === 'Remote', 'remote stop');

    for (const [action, payload] of [
      ['UnlockConnector', { connectorId: 1 }],
      ['ChangeAvailability', { connectorId: 1, type: 'Inoperative' }],
      ['ClearCache', {}],
      ['TriggerMessage', { requestedMessage: 'Heartbeat' }],
      ['UpdateFirmware', { location: 'https://firmware.example/sim-1.1.bin', retrieveDate: new Date().toISOString() }],
      ['GetDiagnostics', { location: 'ftp://diagnostics.example/upload' }],
      ['SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'DEMO-TAG-001', idTagInfo: { status: 'Accepted' } }] }],
      ['GetLocalListVersion', {}],
      ['ReserveNow', { connectorId: 1, expiryDate: new Date(Date.now() + 3_600_000).toISOString(), idTag: 'DEMO-TAG-001', reservationId: 7 }],
      ['CancelReservation', { reservationId: 7 }],
      ['ClearChargingProfile', {}],
      ['GetCompositeSchedule', { connectorId: 1, duration: 3600 }],
    ] as const) {
      const res = await send(action, payload);
      expect(res.statusCode, action).toBe(200);
      expect(res.json().status, `${action}: ${res.body}`).toBe('answered');
    }
    expect((await send('GetLocalListVersion', {})).json().response).toEqual({ listVersion: 3 });
    await until(async () => (await admin.get(`/api/charging/stations/${id}`)).json().firmwareStatus === 'Installed', 'firmware installed');

    const limited = await technician.post('/api/charging/power-limits', { communeInsee: '78120', limitKw: 11 });
    expect(limited.json()).toEqual([expect.objectContaining({ stationId: id, status: 'answered' })]);

    const commands = (await admin.get(`/api/charging/stations/${id}/commands?pageSize=200`)).json();
    expect(commands.items.map((c: { status: string }) => c.status)).toContain('offline');
    expect(commands.total).toBe(21);
    const audit = await db().selectFrom('audit_log').select('action').where('entity_id', '=', id).where('action', 'like', 'charging.command.%').execute();
    expect(audit).toHaveLength(21);
    const auditor = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect((await auditor.post(`/api/charging/stations/${id}/commands`, { action: 'Reset', payload: { type: 'Soft' } })).statusCode).toBe(403);
    await station.close();

    // A station that never answers: the API gives up after CHARGING_COMMAND_TIMEOUT_SECONDS.
    const silent = client(url, 'DEMO-CS-07', DEMO_OCPP_PASSWORD);
    silent.handle('ClearCache', () => new Promise(() => {}));
    await silent.connect();
    await until(() => t.platform.charging.service.isOnline(id), 'silent station online');
    const timeout = await admin.post(`/api/charging/stations/${id}/commands`, { action: 'ClearCache', payload: {} });
    expect(timeout.statusCode).toBe(504);
    expect(timeout.json().error.message).toContain('n’a pas répondu');
    expect((await admin.get(`/api/charging/stations/${id}/commands`)).json().items[0]).toMatchObject({ action: 'ClearCache', status: 'timeout' });
    await silent.close({ force: true });
  });
});
