import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform } from '../../src/platform/platform.js';
import { migrateToLatest } from '../../src/platform/db/migrations.js';
import { ALL_MIGRATIONS } from '../../src/platform/modules.js';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import { createScratchDatabase, testDrivers } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';

const drivers = await testDrivers();

describe('embedded storage', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-data-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps its data across a restart', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    const first = await openPlatform(config);
    expect(first.applied.length).toBeGreaterThan(0);
    const site = await first.territory.createSite(SYSTEM_ACTOR, {
      kind: 'car_park',
      name: 'Parking de la gare',
      address: 'Place de la gare, 78120 Rambouillet',
      longitude: 1.8321,
      latitude: 48.6444,
      memberId: 'com-78517',
    });
    await first.close();

    const second = await openPlatform(config);
    expect(second.applied).toEqual([]);
    expect((await second.territory.getSite(site.id)).name).toBe('Parking de la gare');
    await second.close();
  });
});

describe.each(drivers)('migrations on %s', (driver) => {
  it('run twice: the second run applies nothing and changes nothing', async () => {
    const scratch = driver === 'postgres' ? await createScratchDatabase() : undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-mig-'));
    const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: dir };
    try {
      const first = await mutualisCli(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/applied: 202611291400_territory_init/);
      const second = await mutualisCli(['migrate'], env);
      expect(second).toMatchObject({ code: 0 });
      expect(second.stdout).toContain('database is up to date');

      const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', ...env }));
      expect(await migrateToLatest(platform.database.db, ALL_MIGRATIONS)).toEqual([]);
      const communes = await platform.database.db.selectFrom('communes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(communes.n)).toBe(295);
      await platform.close();
    } finally {
      await scratch?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates users and tokens, and explains what is wrong', async () => {
    const env = { DATA_DIR: dir };
    const created = await mutualisCli(['user', 'create', '--email', 'agent@versailles.fr', '--name', 'Agent', '--role', 'member_agent', '--member', 'com-78646', '--password', 'Versailles-2026-ok'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created agent@versailles.fr');
    const token = await mutualisCli(['token', 'create', '--email', 'agent@versailles.fr', '--name', 'script'], env);
    expect(token.stdout.trim()).toMatch(/^mut_[\w-]{40,}$/);

    const badRole = await mutualisCli(['user', 'create', '--email', 'x@y.fr', '--name', 'X', '--role', 'king', '--member', 'smo', '--password', 'Versailles-2026-ok'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('unknown role "king"');
    const badMember = await mutualisCli(['user', 'create', '--email', 'x@y.fr', '--name', 'X', '--role', 'auditor', '--member', 'com-00000', '--password', 'Versailles-2026-ok'], env);
    expect(badMember.code).toBe(2);
    expect(badMember.stderr).toContain('membre inconnu');
    const unknown = await mutualisCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
    const refused = await mutualisCli(['seed-demo'], { ...env, NODE_ENV: 'production' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused');
  }, 180_000);
});
