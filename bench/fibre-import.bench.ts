/**
 * Fibre import benchmark: generates an IPE file (2,000,000 rows by default, in a temporary folder), loads it
 * with `psql \copy` into an equivalent UNLOGGED table (every column as text, no checks: the baseline), then
 * imports it with `mutualis fibre import`'s code path into PostgreSQL, sampling the process's resident memory.
 * Prints rows/s of both, the ratio (import / baseline) and the import's peak memory.
 * Usage: npm run bench:fibre [-- --rows 200000]
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.service.js';
import { ipeLines, IPE_COLUMNS } from '../src/modules/fibre/ipe-generator.js';
import { createScratchDatabase } from '../test/support/databases.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' }, keep: { type: 'boolean', default: false }, generate: { type: 'string' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1) throw new Error('--rows must be a positive whole number');
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Writes the IPE file; run in a child process so that the import's memory is measured alone. */
async function generate(target: string, databaseUrl: string): Promise<void> {
  const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl }), { poolSize: 1 });
  // Every commune of Yvelines, the rows shared evenly, one snapshot date in the middle of the roll-out.
  const catalogue = await platform.territory.communeCatalogue();
  const communes = catalogue.communes.filter((c) => c.commune.departement === '78');
  const plan = {
    communes: communes.map((c, i) => ({
      insee: c.commune.insee,
      name: c.commune.name,
      postalCode: c.commune.postalCodes[0] ?? '',
      geometry: c.geometry,
      buildings: Math.floor(rows / communes.length) + (i < rows % communes.length ? 1 : 0),
    })),
    operator: 'BENCH',
    start: '2024-01-01',
    end: '2027-01-01',
    seed: 2154,
    projection: 'lambert93' as const,
  };
  const started = performance.now();
  const out = fs.createWriteStream(target);
  let chunk = '';
  // Rows abandoned long enough ago are left out of the file, as operators do: count what is written.
  let written = -1;
  for (const line of ipeLines(plan, '2025-12-31')) {
    written += 1;
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  const size = fs.statSync(target).size;
  console.log(`generated ${written.toLocaleString('en')} rows (${mb(size)} MB, ${IPE_COLUMNS.length} columns) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(String(written));
  await platform.close();
}

if (values.generate) {
  await generate(values.generate, process.env.DATABASE_URL!);
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-fibre-bench-'));
const file = path.join(dir, 'ipe.csv');
const scratch = await createScratchDatabase();
try {
  const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' }), { poolSize: 2 });
  try {
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--rows', String(rows), '--generate', file], { env: { ...process.env, DATABASE_URL: scratch.url }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error('generation failed');
    const output = child.stdout.trim().split('\n');
    const written = Number(output.pop());
    console.log(output.join('\n'));
    // Baseline: the same file into an unlogged table of text columns, by psql's client-side COPY.
    const columns = IPE_COLUMNS.map((c) => `"${c}" text`).join(', ');
    const psql = (command: string) => {
      const result = spawnSync('psql', [scratch.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    };
    psql(`create unlogged table ipe_baseline (${columns})`);
    let started = performance.now();
    psql(`\\copy ipe_baseline from '${file}' with (format csv, delimiter ';', header true)`);
    const baselineSeconds = (performance.now() - started) / 1000;

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    started = performance.now();
    const result = await platform.fibre.importFile(SYSTEM_ACTOR, { operator: 'BENCH', date: '2025-12-31', fileName: 'ipe.csv', source: fs.createReadStream(file) });
    const importSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (result.outcome !== 'accepted' || result.import.accepted + result.import.rejected !== written) throw new Error(`unexpected import result: ${JSON.stringify(result.import)}`);

    const baselineRate = written / baselineSeconds;
    const importRate = written / importSeconds;
    console.log(`baseline psql \\copy into an unlogged table: ${baselineSeconds.toFixed(1)} s, ${Math.round(baselineRate).toLocaleString('en')} rows/s`);
    console.log(`mutualis fibre import: ${importSeconds.toFixed(1)} s, ${Math.round(importRate).toLocaleString('en')} rows/s (${result.import.accepted.toLocaleString('en')} accepted, ${result.import.rejected} rejected)`);
    console.log(`ratio (import / baseline): ${(importRate / baselineRate).toFixed(2)}  (target ≥ 0.5)`);
    console.log(`resident memory: ${mb(before)} MB before the import, peak ${mb(peak)} MB during it  (target < 300 MB)`);
  } finally {
    await platform.close();
  }
} finally {
  await scratch.drop();
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`file kept: ${file}`);
}
