/**
 * HTTP benchmark: requests/s and latency of GET /api/health and of an authenticated commune search
 * (50 per page) on PostgreSQL, as ratios to a bare Fastify route answering the same page (and, for
 * reference, a tiny object) measured in the same run; then the
 * time from `npm start` to a healthy /api/health on the embedded default.
 * Loopback only; every run is bounded in time. Usage: npm run bench:http [-- --duration 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, url: string, headers: Record<string, string>, overallRate?: number): Promise<Figures> {
  const result = await autocannon({ url, connections, duration, headers, ...(overallRate && { overallRate }) });
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function startServers(): Promise<{ child: ChildProcess; ports: { mutualis: number; bare: number; token: string } }> {
  const child = spawn(process.execPath, [TSX, path.join(ROOT, 'bench/http-servers.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('servers did not start within 120 s')), 120_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`servers exited with ${code}`)));
  });
  return { child, ports: JSON.parse(line) };
}

async function timeToHealthy(command: string[], env: Record<string, string>, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  try {
    for (;;) {
      if (performance.now() - started > 120_000) throw new Error(`${command.join(' ')} not healthy within 120 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (res.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(9);

console.log(`Mutualis HTTP benchmark — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${duration} s per run, ${connections} connections`);
const { child, ports } = await startServers();
const auth = { authorization: `Bearer ${ports.token}` };
const base = `http://127.0.0.1:${ports.mutualis}`;
let runs: Figures[];
let fixed: Figures;
try {
  runs = [
    await load('bare route, same 50 communes (baseline)', `http://127.0.0.1:${ports.bare}/bare-page`, {}),
    await load('bare route, tiny object', `http://127.0.0.1:${ports.bare}/bare`, {}),
    await load('GET /api/health', `${base}/api/health`, {}),
    await load('GET /api/communes?pageSize=50 (Bearer)', `${base}/api/communes?pageSize=50&sort=name`, auth),
  ];
  fixed = await load('same search at a fixed 500 req/s', `${base}/api/communes?pageSize=50&sort=name`, auth, 500);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

const baseline = runs[0]!.rps;
console.log(`\n${'run'.padEnd(42)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'ratio'.padStart(9)}${'errors'.padStart(9)}`);
for (const r of [...runs, fixed]) {
  console.log(`${r.name.padEnd(42)}${fmt(r.rps)}${fmt(r.p50)}${fmt(r.p99)}${fmt(r.rps / baseline, 2)}${fmt(r.errors)}`);
}
const search = runs[3]!;
console.log(`\ntarget: authenticated search >= 0.40 of the bare route: ${(search.rps / baseline).toFixed(2)} ${search.rps / baseline >= 0.4 ? 'MET' : 'MISSED'}`);
console.log(`target: p99 < 25 ms at 500 req/s: ${fixed.p99} ms ${fixed.p99 < 25 ? 'MET' : 'MISSED'}`);

// Start-up on the embedded default, data folder already created (second start), against a bare Fastify start.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-bench-'));
try {
  const start = [process.execPath, path.join(ROOT, 'scripts/start.mjs')];
  const first = await timeToHealthy(start, { DATA_DIR: dataDir }, 18_181);
  const warm = await timeToHealthy(start, { DATA_DIR: dataDir }, 18_182);
  const bareStart = await timeToHealthy(
    [process.execPath, '-e', "require('fastify')().get('/api/health',async()=>({})).listen({port:+process.env.PORT})"],
    {},
    18_183,
  );
  console.log(`\nstart to healthy /api/health (embedded): first start ${(first / 1000).toFixed(2)} s (migrations, demo data), next starts ${(warm / 1000).toFixed(2)} s; bare Fastify process ${(bareStart / 1000).toFixed(2)} s (ratio ${(warm / bareStart).toFixed(1)})`);
  console.log(`target: under 4 s once installed: ${warm < 4000 ? 'MET' : 'MISSED'}`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
