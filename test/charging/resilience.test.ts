import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';
import { buildHttpApp } from '../../src/platform/http/app.js';
import { seedDemo } from '../../src/demo/seed.js';
import { DEMO_OCPP_PASSWORD } from '../../src/modules/charging/index.js';
import { SimulatedStation } from '../../src/modules/charging/simulator.js';
import { client, listen, upgradeStatus } from './ocpp-support.js';

const drivers = await testDrivers();

describe.each(drivers)('a server restart on %s', (driver) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mutualis-charging-'));
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    scratch = driver === 'postgres' ? await createScratchDatabase() : undefined;
    env = { NODE_ENV: 'test', DATA_DIR: dir, ...(scratch && { DATABASE_URL: scratch.url }) };
    const platform = await openPlatform(loadConfig(env), { poolSize: 4 });
    await seedDemo(platform);
    await platform.close();
  });
  afterAll(async () => {
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const platform = await openPlatform(loadConfig(env), { poolSize: 4 });
    const app = await buildHttpApp(platform, { logger: false });
    return { platform, app, url: await listen(app) };
  };
  const stop = async (s: { platform: Platform; app: Awaited<ReturnType<typeof buildHttpApp>> }) => {
    await s.app.close();
    await s.platform.close();
  };

  // Two starts of the platform on its storage: longer than the default per-test limit on a busy machine.
  it('keeps open sessions and every acknowledged meter value', { timeout: 120_000 }, async () => {
    const first = await start();
    const station = client(first.url, 'DEMO-CS-01', DEMO_OCPP_PASSWORD);
    await station.connect();
    const startedAt = new Date(Date.now() - 600_000);
    const { transactionId } = (await station.call('StartTransaction', { connectorId: 1, idTag: 'DEMO-TAG-001', meterStart: 1000, timestamp: startedAt.toISOString() })) as { transactionId: number };
    const meter = (i: number) => ({ connectorId: 1, transactionId, meterValue: [{ timestamp: new Date(startedAt.getTime() + (i + 1) * 10_000).toISOString(), sampledValue: [{ value: String(1000 + i * 100) }] }] });

    // Twenty values in flight while the server shuts down: each one answered must be stored.
    const sent = Array.from({ length: 20 }, (_, i) => station.call('MeterValues', meter(i)).then(() => i, () => -1 - i));
    await new Promise((resolve) => setImmediate(resolve));
    await stop(first);
    const outcomes = await Promise.all(sent);
    const unacknowledged = outcomes.filter((o) => o < 0).map((o) => -1 - o);
    await station.close({ force: true });

    const second = await start();
    const stored = async () => (await second.platform.charging.service.sessionMeterValues(transactionId)).map((v) => v.value);
    const acknowledged = outcomes.filter((o) => o >= 0).map((i) => 1000 + i * 100);
    expect(await stored()).toEqual(expect.arrayContaining(acknowledged));

    // The station reconnects, replays what was not acknowledged, and ends its session.
    const again = client(second.url, 'DEMO-CS-01', DEMO_OCPP_PASSWORD);
    await again.connect();
    for (const i of unacknowledged) await again.call('MeterValues', meter(i));
    await again.call('StopTransaction', { transactionId, meterStop: 3000, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
    expect((await stored()).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i * 100));
    const session = await second.platform.database.db.selectFrom('charging_sessions').selectAll().where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ energy_wh: 2000, stop_reason: 'EVDisconnected' });
    await again.close();
    await stop(second);
  });
});

describe.each(drivers)('security profile 2 (TLS) and auto-registration on %s', (driver) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mutualis-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let t: TestPlatform;
  let url: string;
  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    t = await startTestPlatform(driver, { env: { TLS_CERT: cert, TLS_KEY: key, CHARGING_AUTO_REGISTER: 'true' } });
    url = await listen(t.app, 'wss');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS and the stations over WSS', async () => {
    const health = await new Promise<number>((resolve, reject) => {
      https.get(`${url.replace('wss:', 'https:')}/api/health`, { ca: readFileSync(cert) }, (res) => resolve(res.statusCode ?? 0)).on('error', reject);
    });
    expect(health).toBe(200);
    const station = new SimulatedStation({ url, identity: 'DEMO-CS-03', password: DEMO_OCPP_PASSWORD, ca: readFileSync(cert) });
    expect(await station.boot()).toBe('Accepted');
    await station.close();
    expect(await upgradeStatus(client(url, 'DEMO-CS-03', 'not-the-right-password', { wsOpts: { ca: readFileSync(cert) } }))).toBe(401);
    expect(await upgradeStatus(client(url.replace('wss:', 'ws:'), 'DEMO-CS-03', DEMO_OCPP_PASSWORD))).not.toBe(101);
  });

  it('keeps an unknown station pending until it is placed on a site', async () => {
    const station = new SimulatedStation({ url, identity: 'NEW-STATION-1', password: 'its-own-secret-1234', ca: readFileSync(cert) });
    expect(await station.boot()).toBe('Pending');
    await station.close();
    const admin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
    const pending = (await admin.get('/api/charging/stations?registration=pending')).json().items;
    expect(pending).toEqual([expect.objectContaining({ ocppIdentity: 'NEW-STATION-1', registration: 'pending', siteId: null })]);
    expect(((await t.app.inject({ method: 'GET', url: '/api/opendata/irve/statique.json' })).json() as unknown[]).length).toBe(14);

    const site = (await admin.get('/api/sites?q=Chevreuse&kind=car_park')).json().items[0];
    const placed = await admin.patch(`/api/charging/stations/${pending[0].id}`, { siteId: site.id, name: 'Chevreuse – Mairie (2)' });
    expect(placed.json()).toMatchObject({ registration: 'accepted', communeInsee: '78160', memberId: 'com-78160' });
    expect(await upgradeStatus(client(url, 'NEW-STATION-1', 'another-password-123', { wsOpts: { ca: readFileSync(cert) } }))).toBe(401);
    const again = new SimulatedStation({ url, identity: 'NEW-STATION-1', password: 'its-own-secret-1234', ca: readFileSync(cert) });
    expect(await again.boot()).toBe('Accepted');
    await again.close();
  });
});
