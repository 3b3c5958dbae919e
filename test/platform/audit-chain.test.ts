import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';
import { seedDemo } from '../../src/demo/seed.js';
import { appendAudit, verifyAuditChain } from '../../src/platform/audit/audit.service.js';
import { createScratchDatabase, testDrivers, type Driver } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';

const drivers = await testDrivers();

/** A platform whose database outlives it (a folder for PGlite), so that the CLI can open it afterwards. */
async function durablePlatform(driver: Driver) {
  if (driver === 'postgres') {
    const scratch = await createScratchDatabase();
    // The platform keeps its evidence signing key under DATA_DIR, whatever the database.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-audit-'));
    const env = { DATABASE_URL: scratch.url, DATA_DIR: dir };
    return { env, platform: await openPlatform(loadConfig({ NODE_ENV: 'test', ...env })), drop: async () => { await scratch.drop(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-audit-'));
  const env = { DATA_DIR: dir };
  return { env, platform: await openPlatform(loadConfig({ NODE_ENV: 'test', ...env })), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe.each(drivers)('audit trail on %s', (driver) => {
  let platform: Platform;
  let env: Record<string, string>;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ platform, env, drop } = await durablePlatform(driver));
    await seedDemo(platform);
  });
  afterAll(async () => {
    await platform?.close().catch(() => {});
    await drop?.();
  });

  it('refuses UPDATE and DELETE through SQL', async () => {
    const db = platform.database.db;
    await expect(sql`update audit_log set actor_label = 'x' where seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 1`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('names the first record altered out of band, through `mutualis audit verify`', async () => {
    await platform.close();
    const intact = await mutualisCli(['audit', 'verify'], env);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit trail intact: \d+ records checked/);

    // Someone with superuser rights disables the guard and rewrites record 7.
    platform = await openPlatform(loadConfig({ NODE_ENV: 'test', ...env }));
    const db = platform.database.db;
    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(db);
    await sql`update audit_log set summary = '{"after":{"email":"intrus@example.org"}}' where seq = 7`.execute(db);
    await platform.close();

    const broken = await mutualisCli(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('BROKEN at record 7');
    expect(broken.stderr).toContain('altered');
    platform = await openPlatform(loadConfig({ NODE_ENV: 'test', ...env }));
    // Two CLI processes and two openings of the database: more than the default 30 s on a loaded machine.
  }, 120_000);

  it('catches a deleted record and a forged insertion', async () => {
    const db = platform.database.db;
    // Start again from the intact part of the chain: records 1 to 6.
    await sql`delete from audit_log where seq >= 7`.execute(db);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 6 });

    await sql`alter table audit_log enable trigger audit_log_no_change`.execute(db);
    for (let i = 0; i < 3; i++) await appendAudit(db, { actor: { id: null, label: 'test' }, action: 'test.event', entityType: 'test', entityId: String(i) });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 9 });

    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(db);
    await sql`delete from audit_log where seq = 8`.execute(db);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBad: { seq: 9, reason: expect.stringMatching(/missing/) } });

    // A forged record put back at seq 8 with a self-consistent hash still breaks the link to record 9.
    await sql`insert into audit_log (seq, at, actor_label, action, entity_type, summary, prev_hash, hash)
      select 8, now(), 'intrus', 'site.delete', 'site', '{}', hash, repeat('f', 64) from audit_log where seq = 7`.execute(db);
    const forged = await verifyAuditChain(db);
    expect(forged.ok).toBe(false);
    expect(forged.firstBad!.seq).toBe(8);
  });
});
