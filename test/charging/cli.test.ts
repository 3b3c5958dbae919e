import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { listen } from './ocpp-support.js';

const drivers = await testDrivers();

describe.each(drivers)('mutualis charging simulate on %s', (driver) => {
  let t: TestPlatform;
  let url: string;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    url = await listen(t.app);
  });
  afterAll(() => t?.close());

  // Each CLI run starts a Node process with tsx: longer than the default per-test limit on a busy machine.
  it('runs whole sessions of real OCPP clients against the server', { timeout: 120_000 }, async () => {
    const before = Date.now();
    const run = await mutualisCli(['charging', 'simulate', '--url', url, '--stations', 'DEMO-CS-01,DEMO-CS-02', '--duration', '4', '--session', '1', '--interval', '0.2'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('DEMO-CS-01: boot Accepted');
    expect(run.stdout).toMatch(/stations accepted: 2\/2, sessions: [1-9]\d*/);

    const db = t.platform.database.db;
    const sessions = await db.selectFrom('charging_sessions').selectAll().where('created_at', '>=', new Date(before)).execute();
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    for (const s of sessions) {
      expect(s.stopped_at).not.toBeNull();
      expect(Number(s.energy_wh)).toBeGreaterThan(0);
      const values = await db.selectFrom('charging_meter_values').select('value').where('transaction_id', '=', s.transaction_id).where('measurand', '=', 'Energy.Active.Import.Register').execute();
      expect(values.length).toBeGreaterThan(0);
    }
  });

  it('says which station was refused and exits 1 when none got in', { timeout: 180_000 }, async () => {
    const run = await mutualisCli(['charging', 'simulate', '--url', url, '--stations', 'DEMO-CS-01', '--password', 'not-the-password-1', '--duration', '1'], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('DEMO-CS-01: connection refused');
    expect(run.stdout).toContain('stations accepted: 0/1');
    const bad = await mutualisCli(['charging', 'simulate', '--url', 'http://nowhere', '--duration', '1'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--url must look like ws://HOST:PORT');
  });
});
