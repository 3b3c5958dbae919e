import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { mutualisCli } from '../support/cli.js';
import { eventually, MOSQUITTO_URL, uniqueName } from './support.js';

describe('mutualis security simulate', () => {
  const tag = uniqueName('sim');
  const env = { FRIGATE_TOPIC_PREFIX: `${tag}/frigate`, DEVICE_TOPIC_PREFIX: `${tag}/devices` };
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform('pglite', { env: { ...env, MQTT_URL: MOSQUITTO_URL, MQTT_CLIENT_ID: `${tag}_srv` } });
    await t.platform.security.start({ info: () => {}, warn: () => {}, error: () => {} });
    await t.platform.security.ready();
  });
  afterAll(() => t?.close());

  it('publishes Frigate and access-control traffic that the platform stores for the demo devices, with no dead letter', async () => {
    const run = await mutualisCli(['security', 'simulate', '--url', MOSQUITTO_URL, '--rate', '10', '--duration', '2'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const published = Number(/published (\d+) messages/.exec(run.stdout)?.[1]);
    expect(published).toBeGreaterThan(10);
    const db = t.platform.database.db;
    const rows = await eventually(async () => {
      const r = await db.selectFrom('security_events as e').innerJoin('security_devices as d', 'd.id', 'e.device_id').select(['e.type', 'e.source', 'd.code']).execute();
      return r.length > 5 ? r : undefined;
    });
    expect(rows.every((r) => r.code.startsWith('DEMO-'))).toBe(true);
    const sources = new Set(rows.map((r) => r.source));
    expect(sources.has('frigate') || sources.has('mqtt')).toBe(true);
    const dead = await db.selectFrom('security_dead_letters').select('reason').where('topic', 'like', `${tag}/%`).execute();
    expect(dead).toEqual([]);
  }, 120_000);

  it('refuses a bad rate and reports an unreachable broker', async () => {
    const bad = await mutualisCli(['security', 'simulate', '--rate', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rate');
    const down = await mutualisCli(['security', 'simulate', '--url', 'mqtt://127.0.0.1:1', '--duration', '1'], env);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('broker unreachable');
  }, 120_000);
});
