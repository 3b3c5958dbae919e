import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform } from '../../src/platform/platform.js';
import { createScratchDatabase, testDrivers } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';
import { ipeText, JUNE } from './files.js';

const drivers = await testDrivers();
const SAMPLE = path.resolve(import.meta.dirname, '../../src/modules/fibre/samples/ipe-thd78-2025-06-30.csv');

describe.each(drivers)('mutualis fibre import on %s', (driver) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-fibre-cli-'));

  beforeAll(async () => {
    // A migrated database that outlives the platform, so that the CLI opens it quickly.
    const scratch = driver === 'postgres' ? await createScratchDatabase() : undefined;
    env = scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: path.join(dir, 'data') };
    const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', ...env }));
    await platform.close();
    cleanup = async () => {
      await scratch?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => cleanup?.());

  it('imports the shipped sample, prints the summary and the rejected lines, and changes nothing the second time', async () => {
    const first = await mutualisCli(['fibre', 'import', SAMPLE, '--operator', 'THD78', '--date', '2025-06-30'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported ipe-thd78-2025-06-30.csv as the THD78 snapshot of 2025-06-30 (ipe, utf-8-bom): 32 lines, 30 buildings');
    expect(first.stdout).toContain('line 32: état inconnu « RACCORDE »');
    expect(first.stdout).toContain('line 33: nombre de logements négatif (-4)');

    const second = await mutualisCli(['fibre', 'import', SAMPLE, '--operator', 'THD78', '--date', '2025-06-30'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^unchanged: this file is already the THD78 snapshot of 2025-06-30/);
  });

  it('exits 1 with the reason when the file is refused, and 2 on a usage error', async () => {
    const bad = path.join(dir, 'virgules.csv');
    fs.writeFileSync(bad, ipeText(JUNE, 'l93', { separator: ',' }));
    const refused = await mutualisCli(['fibre', 'import', bad, '--operator', 'THD78', '--date', '2025-07-31'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused: Mauvais séparateur');

    const usage = await mutualisCli(['fibre', 'import', bad, '--date', '2025-07-31'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing --operator');
  });
});
