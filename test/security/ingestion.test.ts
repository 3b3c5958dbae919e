import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import { device, eventually, frigateEvent, MOSQUITTO_URL, publisher, siteId, uniqueName } from './support.js';

const drivers = await testDrivers();
const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
const BROKERS = ['mosquitto', 'embedded'] as const;

const busEnv = (broker: (typeof BROKERS)[number], tag: string) => ({
  ...(broker === 'mosquitto' ? { MQTT_URL: MOSQUITTO_URL } : { MQTT_PORT: '0' }),
  MQTT_CLIENT_ID: uniqueName(`srv_${tag}`),
  FRIGATE_TOPIC_PREFIX: `${tag}/frigate`,
  DEVICE_TOPIC_PREFIX: `${tag}/devices`,
});

const cases = drivers.flatMap((driver) => BROKERS.map((broker) => [driver, broker] as const));

describe.each(cases)('event ingestion on %s with the %s broker', (driver, broker) => {
  const tag = uniqueName('ing');
  const camera = `${tag}_cam`;
  let t: TestPlatform;
  let pub: MqttClient;
  let supervisor: ApiClient;
  const ids: Record<string, string> = {};
  const publish = (topic: string, payload: string) => pub.publishAsync(topic, payload, { qos: 1 });
  const events = (where: { deviceId?: string; type?: string } = {}) => {
    let q = t.platform.database.db.selectFrom('security_events').selectAll();
    if (where.deviceId) q = q.where('device_id', '=', where.deviceId);
    if (where.type) q = q.where('type', '=', where.type);
    return q.execute();
  };

  beforeAll(async () => {
    t = await startTestPlatform(driver, { env: busEnv(broker, tag) });
    const site = await siteId(t.platform, 'Hôtel de ville de Versailles');
    ids.camera = (await device(t.platform, { code: `${tag}-CAM`, kind: 'camera', model: 'fixed', siteId: site, frigateCamera: camera, zone: 'entrance' })).id;
    ids.door = (await device(t.platform, { code: `${tag}-DOOR`, kind: 'door', siteId: site, zone: 'entrance' })).id;
    ids.reader = (await device(t.platform, { code: `${tag}-READER`, kind: 'reader', model: 'badge', siteId: site, doorId: ids.door })).id;
    const base = { otherEventType: null, threshold: null, correlationWindowSec: null, siteId: site, deviceId: null, windows: [], groupWindowSec: 300, deadlineSec: 300, enabled: true };
    await t.platform.security.rules.create(SYSTEM_ACTOR, { ...base, name: 'Détection', kind: 'event', eventType: 'object_detected', alarmType: 'object_detected', priority: 3 });
    await t.platform.security.rules.create(SYSTEM_ACTOR, { ...base, name: 'Porte maintenue', kind: 'event', eventType: 'door_held_open', alarmType: 'door_held_open', priority: 4 });
    await t.platform.security.start(QUIET);
    await t.platform.security.ready();
    pub = await publisher(t.platform.security.mqttState()!.url);
    supervisor = await ApiClient.signIn(t.app, 'superviseur@mutualis.demo');
  });
  afterAll(async () => {
    await pub?.endAsync();
    await t?.close();
  });

  it('stores a Frigate tracked object once across its new, update and end messages, on the registered camera, and raises an alarm', async () => {
    const created: string[] = [];
    const off = t.platform.bus.subscribe('security.security_alarm.created', (e) => void created.push((e.data as { id: string }).id));
    const start = Date.now() / 1000 - 5;
    for (const type of ['new', 'update', 'end'] as const) await publish(`${tag}/frigate/events`, frigateEvent(camera, `${start}-abc`, type, start));
    const stored = await eventually(async () => ((await events({ deviceId: ids.camera })).length ? await events({ deviceId: ids.camera }) : undefined));
    await publish(`${tag}/frigate/reviews`, JSON.stringify({ type: 'new', before: {}, after: { id: 'rev-1', camera, start_time: start, end_time: null, severity: 'alert', thumb_path: '/x.webp', data: { detections: [`${start}-abc`], objects: ['person'], sub_labels: [], zones: ['entree'], audio: [] } } }));
    await eventually(async () => (await events({ type: 'review_alert' })).length === 1);
    off();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: `frigate:${start}-abc`, type: 'object_detected', source: 'frigate', details: expect.objectContaining({ label: 'person', zones: ['entree'], hasClip: true }) });
    expect((await events({ deviceId: ids.camera })).length).toBe(2);
    const alarms = (await supervisor.get(`/api/security/alarms?state=new`)).json();
    const alarm = alarms.items.find((a: { deviceId: string; type: string }) => a.deviceId === ids.camera && a.type === 'object_detected');
    expect(alarm).toMatchObject({ priority: 3, eventCount: 1, state: 'new', siteName: 'Hôtel de ville de Versailles' });
    expect(created).toContain(alarm.id);
  });

  it('groups repeated access-control events of a door into one alarm with a count, and counts a replayed id once', async () => {
    for (let i = 0; i < 3; i++) {
      await publish(`${tag}/devices/${tag}-DOOR/events`, JSON.stringify({ id: `${tag}-held-${i}`, type: 'door_held_open', occurredAt: new Date(Date.now() - 1000 + i * 100).toISOString(), details: { seconds: 45 } }));
    }
    await publish(`${tag}/devices/${tag}-DOOR/events`, JSON.stringify({ id: `${tag}-held-0`, type: 'door_held_open' }));
    await eventually(async () => (await events({ deviceId: ids.door, type: 'door_held_open' })).length === 3);
    const alarm = await eventually(async () => {
      const list = (await supervisor.get('/api/security/alarms?state=new')).json();
      const found = list.items.find((a: { deviceId: string; eventCount: number }) => a.deviceId === ids.door);
      return found?.eventCount === 3 ? found : undefined;
    });
    expect(alarm).toMatchObject({ type: 'door_held_open', priority: 4, title: expect.stringContaining('Porte maintenue ouverte') });
    // The duplicate, published last, was handled once the three were stored: still three.
    await eventually(async () => t.platform.security.ingest.stats.duplicates >= 1);
    expect((await events({ deviceId: ids.door })).length).toBe(3);
  });

  it('sends malformed payloads and unknown devices to the dead letters with their reason, and goes on', async () => {
    await publish(`${tag}/frigate/events`, 'not json at all');
    await publish(`${tag}/devices/${tag}-DOOR/events`, JSON.stringify({ id: 'x1', type: 'door_exploded' }));
    await publish(`${tag}/frigate/events`, frigateEvent('nobody_registered_me', 'zzz'));
    await publish(`${tag}/devices/NOPE-${tag}/events`, JSON.stringify({ id: 'x2', type: 'motion' }));
    await publish(`${tag}/devices/${tag}-READER/events`, JSON.stringify({ id: `${tag}-after-bad`, type: 'access_denied', details: { badge: '0042' } }));
    await eventually(async () => (await events({ deviceId: ids.reader })).length === 1);
    const dead = await eventually(async () => {
      const list = (await supervisor.get('/api/security/dead-letters?pageSize=200')).json();
      const mine = list.items.filter((d: { topic: string | null }) => d.topic?.startsWith(`${tag}/`));
      return mine.length >= 4 ? mine : undefined;
    });
    const reasons = dead.map((d: { reason: string }) => d.reason).join('\n');
    expect(reasons).toContain('Contenu non JSON');
    expect(reasons).toContain('/type');
    expect(reasons).toContain('Caméra Frigate inconnue : « nobody_registered_me »');
    expect(reasons).toContain(`Équipement inconnu : « NOPE-${tag} »`);
    expect(dead.find((d: { payload: string }) => d.payload === 'not json at all')).toBeDefined();
    const operator = await ApiClient.signIn(t.app, 'operateur@mutualis.demo');
    expect((await operator.get('/api/security/dead-letters')).statusCode).toBe(403);
  });

  it('follows availability and tamper messages in the devices’ live status, and reports the link on /api/health', async () => {
    await publish(`${tag}/devices/${tag}-READER/availability`, 'online');
    await publish(`${tag}/frigate/available`, 'offline');
    await eventually(async () => (await supervisor.get(`/api/security/devices/${ids.camera}`)).json().status === 'offline');
    await eventually(async () => (await supervisor.get(`/api/security/devices/${ids.reader}`)).json().status === 'online');
    await publish(`${tag}/frigate/${camera}/motion`, 'ON');
    await eventually(async () => (await supervisor.get(`/api/security/devices/${ids.camera}`)).json().status === 'online');
    await publish(`${tag}/devices/${tag}-READER/events`, JSON.stringify({ id: `${tag}-tamper`, type: 'reader_tamper' }));
    await eventually(async () => (await supervisor.get(`/api/security/devices/${ids.reader}`)).json().status === 'tampered');
    const health = (await t.app.inject({ url: '/api/health' })).json();
    expect(health.mqtt).toMatchObject({ mode: broker === 'mosquitto' ? 'external' : 'embedded', connected: true, lastError: null });
  });

  it('takes events over HTTP from a device with its token', async () => {
    const token = (await supervisor.post(`/api/security/devices/${ids.door}/token`)).json().token as string;
    const post = (body: unknown, deviceToken = token) => t.app.inject({ method: 'POST', url: '/api/security/events', headers: { 'x-device-token': deviceToken, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const body = { id: `${tag}-http-1`, type: 'door_held_open', occurredAt: new Date().toISOString() };
    const first = await post(body);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ outcome: 'stored', alarmId: expect.any(String) });
    expect((await post(body)).json()).toEqual({ outcome: 'duplicate' });
    expect((await post(body, 'mdt_wrong')).statusCode).toBe(401);
    const bad = await post({ id: `${tag}-http-2`, type: 'motion', occurredAt: 'yesterday' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toContain('/occurredAt');
    expect((await t.platform.database.db.selectFrom('security_dead_letters').select('reason').where('source', '=', 'http').execute()).length).toBe(1);
  });
});

describe.runIf(drivers.includes('postgres'))('a server closed while a device publishes', () => {
  const tag = uniqueName('restart');
  let t: TestPlatform;
  let server: Platform | undefined;
  let pub: MqttClient;
  const env = () => loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.databaseUrl!, ...busEnv('mosquitto', tag), MQTT_CLIENT_ID: `${tag}_server` });
  beforeAll(async () => {
    t = await startTestPlatform('postgres');
    const site = await siteId(t.platform, 'Hôtel de ville de Versailles');
    await device(t.platform, { code: `${tag}-PIR`, kind: 'intrusion_sensor', siteId: site, zone: 'hall' });
    pub = await publisher(MOSQUITTO_URL);
  });
  afterAll(async () => {
    await pub?.endAsync();
    await server?.close();
    await t?.close();
  });

  it('stores every event exactly once after the restart', async () => {
    const total = 600;
    server = await openPlatform(env(), { poolSize: 4 });
    await server.security.start(QUIET);
    await server.security.ready();
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await pub.publishAsync(`${tag}/devices/${tag}-PIR/events`, JSON.stringify({ id: `${tag}-${i}`, type: 'field_intrusion', occurredAt: new Date().toISOString() }), { qos: 1 });
      }
    };
    const publishing = send(0, total / 2);
    const count = async () => Number((await t.platform.database.db.selectFrom('security_events').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'like', `${tag}-%`).executeTakeFirstOrThrow()).n);
    // Closed in the middle of the stream: some events stored, some in flight; the second half is published while it is down.
    await eventually(async () => (await count()) >= 100);
    await server.close();
    server = undefined;
    await publishing;
    await send(total / 2, total);
    expect(await count()).toBeLessThan(total);

    server = await openPlatform(env(), { poolSize: 4 });
    await server.security.start(QUIET);
    await eventually(async () => (await count()) === total, 30_000);
    const rows = await t.platform.database.db.selectFrom('security_events').select('id').where('id', 'like', `${tag}-%`).execute();
    expect(new Set(rows.map((r) => r.id)).size).toBe(total);
    expect(rows.length).toBe(total);
  });
});
