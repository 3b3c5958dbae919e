import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import { device, siteId, uniqueName } from './support.js';

const drivers = await testDrivers();

describe.each(drivers)('alarm life and rules API on %s', (driver) => {
  const tag = uniqueName('alarm');
  let t: TestPlatform;
  let operator: ApiClient;
  let supervisor: ApiClient;
  let other: ApiClient;
  let doorId: string;
  let townHall: string;
  let n = 0;

  /** An alarm raised through the real ingestion path (HTTP with the device's token). */
  const raise = async (type = 'door_forced_open') => {
    const token = (await supervisor.post(`/api/security/devices/${doorId}/token`)).json().token;
    const res = await t.app.inject({ method: 'POST', url: '/api/security/events', headers: { 'x-device-token': token, 'content-type': 'application/json' }, payload: JSON.stringify({ id: `${tag}-${++n}`, type }) });
    expect(res.statusCode).toBe(202);
    return res.json().alarmId as string;
  };

  beforeAll(async () => {
    t = await startTestPlatform(driver);
    townHall = await siteId(t.platform, 'Hôtel de ville de Versailles');
    doorId = (await device(t.platform, { code: `${tag}-DOOR`, kind: 'door', siteId: townHall, zone: 'entrance' })).id;
    await t.platform.security.rules.create(SYSTEM_ACTOR, {
      name: 'Porte forcée',
      kind: 'event',
      eventType: 'door_forced_open',
      otherEventType: null,
      alarmType: 'door_forced_open',
      threshold: null,
      correlationWindowSec: null,
      siteId: townHall,
      deviceId: null,
      windows: [],
      priority: 2,
      groupWindowSec: 0,
      deadlineSec: 60,
      enabled: true,
    });
    supervisor = await ApiClient.signIn(t.app, 'superviseur@mutualis.demo');
    // The operator serves a centre covering the town hall; a second operator too.
    const centre = (await supervisor.post('/api/security/centres', { name: `Centre ${tag}`, siteIds: [townHall] })).json();
    const operatorId = (await t.platform.accounts.findByEmail('operateur@mutualis.demo'))!.id;
    await supervisor.request('PUT', `/api/security/operators/${operatorId}`, { centreId: centre.id });
    const second = await t.platform.accounts.create(SYSTEM_ACTOR, { email: `${tag}@mutualis.demo`, displayName: 'Second opérateur', role: 'operator', memberId: 'smo', password: 'Mutualis-Demo-2026!' });
    await supervisor.request('PUT', `/api/security/operators/${second.id}`, { centreId: centre.id });
    operator = await ApiClient.signIn(t.app, 'operateur@mutualis.demo');
    other = await ApiClient.signIn(t.app, `${tag}@mutualis.demo`);
  });
  afterAll(() => t?.close());

  it('takes, verifies, qualifies as police called and closes an alarm, each step attributed, audited and published', async () => {
    const id = await raise();
    const topics: string[] = [];
    const off = t.platform.bus.subscribe('security.security_alarm.*', (e) => void topics.push(e.topic));

    const taken = await operator.post(`/api/security/alarms/${id}/take`);
    expect(taken.statusCode).toBe(200);
    expect(taken.json()).toMatchObject({ state: 'taken', takenByLabel: 'operateur@mutualis.demo' });
    // The other operator sees who has it, and cannot take it or move it on.
    expect((await other.get(`/api/security/alarms/${id}`)).json().alarm.takenByLabel).toBe('operateur@mutualis.demo');
    const stolen = await other.post(`/api/security/alarms/${id}/take`);
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json().error.message).toBe('Alarme déjà prise en charge par operateur@mutualis.demo.');
    expect((await other.post(`/api/security/alarms/${id}/verify`)).statusCode).toBe(403);

    // Closing before qualifying is illegal.
    const early = await operator.post(`/api/security/alarms/${id}/close`, { report: 'Rapport trop tôt pour être accepté.' });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toBe('Impossible de clore cette alarme : elle est prise en charge.');

    expect((await operator.post(`/api/security/alarms/${id}/verify`)).json().state).toBe('verification');
    const incomplete = await operator.post(`/api/security/alarms/${id}/qualify`, { qualification: 'police_called', police: { calledAt: '2026-12-01T22:05:00Z', reference: '', outcome: 'Interpellation' } });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.json().error.details).toEqual([{ field: '/body/police/reference', message: expect.any(String) }]);
    const qualified = await operator.post(`/api/security/alarms/${id}/qualify`, { qualification: 'police_called', police: { calledAt: '2026-12-01T22:05:00Z', reference: 'PV 2026/1234', outcome: 'Patrouille sur place, individu interpellé' } });
    expect(qualified.json()).toMatchObject({ state: 'qualified', qualification: 'police_called', qualificationDetails: { police: { reference: 'PV 2026/1234', calledAt: '2026-12-01T22:05:00.000Z' } } });
    const closed = await operator.post(`/api/security/alarms/${id}/close`, { report: 'Intrusion confirmée, police intervenue, porte sécurisée par l’agent d’astreinte.' });
    expect(closed.json()).toMatchObject({ state: 'closed', report: expect.stringContaining('Intrusion confirmée') });
    off();

    expect(topics).toEqual(['security.security_alarm.taken', 'security.security_alarm.verification', 'security.security_alarm.qualified', 'security.security_alarm.closed']);
    const detail = (await supervisor.get(`/api/security/alarms/${id}`)).json();
    expect(detail.history.map((h: { action: string; actorLabel: string }) => `${h.action}:${h.actorLabel}`)).toEqual([
      'created:system',
      'take:operateur@mutualis.demo',
      'verify:operateur@mutualis.demo',
      'qualify:operateur@mutualis.demo',
      'close:operateur@mutualis.demo',
    ]);
    expect(detail.events).toHaveLength(1);
    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', '=', id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['security.alarm.take', 'security.alarm.verify', 'security.alarm.qualify', 'security.alarm.close']);

    // Reopened with a reason, it goes back to the queue.
    expect((await operator.post(`/api/security/alarms/${id}/reopen`, { reason: 'Nouvel élément' })).json()).toMatchObject({ state: 'new', takenBy: null, reopenCount: 1 });
  });

  it('opens a maintenance ticket for a technical fault and requires the cause of a false alarm', async () => {
    const id = await raise();
    await operator.post(`/api/security/alarms/${id}/take`);
    await operator.post(`/api/security/alarms/${id}/verify`);
    const noCause = await operator.post(`/api/security/alarms/${id}/qualify`, { qualification: 'false_alarm' });
    expect(noCause.statusCode).toBe(422);
    expect(noCause.json().error.message).toContain('cause');
    const fault = await operator.post(`/api/security/alarms/${id}/qualify`, { qualification: 'technical_fault', fault: 'Contact de porte défectueux' });
    expect(fault.json().qualificationDetails).toMatchObject({ fault: 'Contact de porte défectueux', ticketId: expect.any(String) });
    const tickets = await t.platform.security.alarms.openTicketsFor(id);
    expect(tickets).toMatchObject([{ device_id: doorId, description: 'Contact de porte défectueux', status: 'open' }]);

    const id2 = await raise();
    await supervisor.post(`/api/security/alarms/${id2}/take`);
    await supervisor.post(`/api/security/alarms/${id2}/verify`);
    expect((await supervisor.post(`/api/security/alarms/${id2}/qualify`, { qualification: 'false_alarm', cause: 'Agent d’entretien sans badge' })).json().qualificationDetails.cause).toBe('Agent d’entretien sans badge');
  });

  it('lists alarms by state, site, priority and period, in queue order, within the operator’s centre', async () => {
    const list = (await operator.get(`/api/security/alarms?state=new&state=taken&siteId=${townHall}&priority=2`)).json();
    expect(list.total).toBeGreaterThan(0);
    expect(list.items.every((a: { state: string; priority: number }) => ['new', 'taken'].includes(a.state) && a.priority === 2)).toBe(true);
    const future = (await operator.get(`/api/security/alarms?from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`)).json();
    expect(future.total).toBe(0);

    // An alarm at a site outside the centre stays invisible to the operator, not to the supervisor.
    const college = await siteId(t.platform, 'Collège Jean Racine');
    const farDoor = (await device(t.platform, { code: `${tag}-FAR`, kind: 'door', siteId: college })).id;
    const token = (await supervisor.post(`/api/security/devices/${farDoor}/token`)).json().token;
    const far = (await t.app.inject({ method: 'POST', url: '/api/security/events', headers: { 'x-device-token': token, 'content-type': 'application/json' }, payload: JSON.stringify({ id: `${tag}-far`, type: 'door_forced_open' }) })).json().alarmId;
    expect((await operator.get(`/api/security/alarms/${far}`)).statusCode).toBe(404);
    expect((await operator.post(`/api/security/alarms/${far}/take`)).statusCode).toBe(404);
    expect((await operator.get('/api/security/alarms?pageSize=200')).json().items.some((a: { id: string }) => a.id === far)).toBe(false);
    expect((await supervisor.get(`/api/security/alarms/${far}`)).statusCode).toBe(200);
  });

  it('escalates an alarm nobody took before its deadline', async () => {
    const id = await raise();
    const before = (await supervisor.get(`/api/security/alarms/${id}`)).json().alarm;
    expect((await t.platform.security.alarms.escalate(new Date(Date.parse(before.deadlineAt) - 1000))).map((a) => a.id)).not.toContain(id);
    const escalated = await t.platform.security.alarms.escalate(new Date(Date.parse(before.deadlineAt) + 1000));
    expect(escalated.find((a) => a.id === id)).toMatchObject({ priority: 1, escalationLevel: 1 });
    const history = (await supervisor.get(`/api/security/alarms/${id}`)).json().history;
    expect(history.at(-1)).toMatchObject({ action: 'escalated', details: { from: 2, to: 1, level: 1 } });
  });

  it('lets supervisors edit rules with validation and audit, and operators only read them', async () => {
    const bad = await supervisor.post('/api/security/rules', { name: 'x', kind: 'burst', eventType: 'access_denied', priority: 2, groupWindowSec: 60, deadlineSec: 60 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(['/body/alarmType', '/body/threshold', '/body/correlationWindowSec']);
    expect((await supervisor.post('/api/security/rules', { name: 'x', kind: 'event', eventType: 'motion', priority: 9, groupWindowSec: 60, deadlineSec: 60 })).statusCode).toBe(422);
    const created = await supervisor.post('/api/security/rules', {
      name: 'Refus répétés',
      kind: 'burst',
      eventType: 'access_denied',
      alarmType: 'access_denied_burst',
      threshold: 3,
      correlationWindowSec: 120,
      windows: ['night'],
      priority: 2,
      groupWindowSec: 300,
      deadlineSec: 120,
    });
    expect(created.statusCode).toBe(201);
    const patched = await supervisor.patch(`/api/security/rules/${created.json().id}`, { priority: 1 });
    expect(patched.json().priority).toBe(1);
    expect((await operator.get('/api/security/rules')).statusCode).toBe(200);
    expect((await operator.post('/api/security/rules', { name: 'x', kind: 'event', eventType: 'motion', priority: 3, groupWindowSec: 60, deadlineSec: 60 })).statusCode).toBe(403);
    expect((await supervisor.delete(`/api/security/rules/${created.json().id}`)).statusCode).toBe(204);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', created.json().id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['security.rule.create', 'security.rule.update', 'security.rule.delete']);
  });
});

describe.each(drivers)('security indicators on %s', (driver) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
  });
  afterAll(() => t?.close());

  it('computes the delays, false-alarm rates, police calls and device availability of the demo', async () => {
    const supervisor = await ApiClient.signIn(t.app, 'superviseur@mutualis.demo');
    const res = await supervisor.get('/api/security/indicators');
    expect(res.statusCode).toBe(200);
    const k = res.json();
    // The demo's past alarms: taken after 1 to 4 minutes, qualified 4 to 15 minutes after creation.
    expect(k.alarms).toBeGreaterThanOrEqual(8);
    expect(k.timeToTake.count).toBe(7);
    expect(k.timeToTake.p50).toBeGreaterThanOrEqual(60);
    expect(k.timeToTake.p90).toBeLessThanOrEqual(240);
    expect(k.timeToQualify.count).toBe(6);
    const site = k.falseAlarmRate.bySite.find((s: { name: string }) => s.name === 'Collège Jean Racine');
    expect(site).toMatchObject({ qualified: 3, falseAlarms: 2 });
    expect(k.policeCallsByMonth.reduce((n: number, m: { calls: number }) => n + m.calls, 0)).toBe(1);
    // The two readers of the past tamper alarms stay tampered.
    expect(k.devices).toMatchObject({ total: 20, online: 18, tampered: 2, availability: 0.9 });
    const school = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    expect((await school.get('/api/security/indicators')).statusCode).toBe(403);
  });
});
