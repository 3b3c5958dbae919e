import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform } from '../../src/platform/platform.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createScratchDatabase, testDrivers } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';
import { SAMPLES } from './helpers.js';

const drivers = await testDrivers();

describe.each(drivers)('mutualis education commands on %s', (driver) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-education-cli-'));

  beforeAll(async () => {
    const scratch = driver === 'postgres' ? await createScratchDatabase() : undefined;
    // DATA_DIR also for PostgreSQL: the demo writes recordings and the evidence signing key there.
    env = { DATA_DIR: path.join(dir, 'data'), ...(scratch && { DATABASE_URL: scratch.url }) };
    const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', ...env }));
    await seedDemo(platform);
    // A pupil who left two years ago, for the purge.
    await platform.database.db.updateTable('edu_pupils').set({ left_at: '2024-07-05' }).where('school_ref', '=', 'E01001').execute();
    await platform.close();
    cleanup = async () => {
      await scratch?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }, 120_000);
  afterAll(() => cleanup?.());

  it('imports the ONDE sample folder (one sub-folder per UAI) and reports the rejected lines', async () => {
    const res = await mutualisCli(['education', 'import-onde', path.join(SAMPLES, 'onde'), '--year', '2026-2027'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('0921234S: 25 lines, pupils 7 created 0 updated, staff 3 created 0 updated, 3 classes created, 5 rejected');
    expect(res.stdout).toContain('eleves.csv line 10: niveau inconnu « GS »');
    const missingYear = await mutualisCli(['education', 'import-onde', path.join(SAMPLES, 'onde'), '--year', '2040-2041'], env);
    expect(missingYear.code).toBe(1);
    expect(missingYear.stderr).toContain('0921234S: refused');
  }, 120_000);

  it('imports the asset sample and purges pupils past retention', async () => {
    const assets = await mutualisCli(['education', 'import-assets', path.join(SAMPLES, 'equipements.csv')], env);
    expect(assets.code).toBe(0);
    expect(assets.stdout).toContain('9 lines, 5 assets created, 4 rejected');
    expect(assets.stdout).toContain('line 8: UAI inconnu : 0929999Z');
    const purge = await mutualisCli(['education', 'purge'], { ...env, EDUCATION_PUPIL_RETENTION_MONTHS: '18' });
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/^purged 1 pupils who left before \d{4}-\d{2}-\d{2} \(retention 18 months\)/);
    const bad = await mutualisCli(['education', 'purge'], { ...env, EDUCATION_PUPIL_RETENTION_MONTHS: 'never' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EDUCATION_PUPIL_RETENTION_MONTHS');
  }, 120_000);
});
