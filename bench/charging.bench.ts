/**
 * OCPP central system benchmark, on PostgreSQL, loopback only. This process runs the server (Mutualis on a
 * scratch database, and a bare `ws` server answering every CALL with an empty CALLRESULT as the baseline);
 * a load generator runs in its own process and drives:
 *   (a) boot storm: BENCH_BOOT stations (5,000) connect with Basic auth and send BootNotification, time to all Accepted;
 *   (b) connections held: BENCH_HELD stations (10,000) connected with heartbeats, the server's memory per connection;
 *   (c) MeterValues stored per second, p50/p99, from BENCH_METER_CONCURRENCY stations each sending the next
 *       message when the previous one is answered (answered = stored), for BENCH_SECONDS;
 *   (d) the same load against the bare ws server, and the ratio (c)/(d).
 * Usage: npm run bench:charging   (quick run: BENCH_BOOT=500 BENCH_HELD=1000 BENCH_SECONDS=5 npm run bench:charging)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type * as Ocpp from 'ocpp-rpc';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { buildHttpApp } from '../src/platform/http/app.js';
import { createScratchDatabase } from '../test/support/databases.js';
import { hashStationPassword } from '../src/modules/charging/station-credentials.js';

const env = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
};
const BOOT = env('BENCH_BOOT', 5000);
const HELD = Math.max(env('BENCH_HELD', 10_000), BOOT);
const CONCURRENCY = env('BENCH_METER_CONCURRENCY', 100);
const SECONDS = env('BENCH_SECONDS', 15);
const PASSWORD = 'bench-station-secret-01';
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

type Message = { phase: string; [key: string]: unknown };

// ---------- load generator (child process) ----------

async function loadGenerator(mutualis: string, bare: string) {
  const { RPCClient } = createRequire(import.meta.url)('ocpp-rpc') as typeof Ocpp;
  const send = (m: Message) => process.send!(m);
  const ask = (m: Message) => new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    send(m);
  });
  const identity = (i: number) => `BENCH-${String(i).padStart(5, '0')}`;
  const open = (base: string, id: string) => {
    return new RPCClient({ endpoint: `${base}/ocpp`, identity: id, password: PASSWORD, protocols: ['ocpp1.6'], reconnect: false, callTimeoutMs: 120_000, pingIntervalMs: 300_000 } as never);
  };
  /** Runs `task` for 0..n-1 with at most `limit` at once. */
  const pool = async (n: number, limit: number, task: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++);
    }));
  };

  /** Connects as a station does after an outage: a refused or reset attempt is retried after a pause. */
  let retries = 0;
  const connect = async (base: string, id: string) => {
    for (let attempt = 1; ; attempt += 1) {
      const c = open(base, id);
      try {
        await c.connect();
        return c;
      } catch (error) {
        if (attempt === 5) throw error;
        retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };

  const clients: InstanceType<typeof RPCClient>[] = [];
  // (a) boot storm
  let accepted = 0;
  let started = performance.now();
  await pool(BOOT, 250, async (i) => {
    const c = await connect(mutualis, identity(i));
    const answer = (await c.call('BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'B-1' })) as { status: string };
    if (answer.status === 'Accepted') accepted += 1;
    clients[i] = c;
  });
  send({ phase: 'boot', seconds: (performance.now() - started) / 1000, accepted, retries });

  // (b) held connections, each sending a heartbeat
  started = performance.now();
  await pool(HELD - BOOT, 250, async (k) => {
    clients[BOOT + k] = await connect(mutualis, identity(BOOT + k));
  });
  await pool(HELD, 500, async (i) => void (await clients[i]!.call('Heartbeat', {})));
  await ask({ phase: 'held', connections: clients.length, seconds: (performance.now() - started) / 1000 });

  // (c) and (d): closed loops of MeterValues
  const meterLoad = async (targets: InstanceType<typeof RPCClient>[], transactionIds: number[]) => {
    const latencies: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    let meter = 1000;
    await Promise.all(targets.map(async (c, w) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        meter += 10;
        await c.call('MeterValues', {
          connectorId: 1,
          transactionId: transactionIds[w],
          meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(meter), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '11000', measurand: 'Power.Active.Import', unit: 'W' }, { value: '55', measurand: 'SoC', unit: 'Percent' }] }],
        });
        latencies.push(performance.now() - t0);
      }
    }));
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return { rate: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), messages: latencies.length };
  };
  const meterClients = clients.slice(0, CONCURRENCY);
  const transactionIds = await Promise.all(meterClients.map(async (c, w) => ((await c.call('StartTransaction', { connectorId: 1, idTag: 'BENCH-TAG', meterStart: 1000, timestamp: new Date(Date.now() - w).toISOString() })) as { transactionId: number }).transactionId));
  const stored = await meterLoad(meterClients, transactionIds);
  send({ phase: 'meter', ...stored });
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => {})));
  // The server records 10,000 disconnections: the baseline waits until it is done.
  await ask({ phase: 'closed' });

  const bareClients = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => connect(bare, identity(i))));
  const baseline = await meterLoad(bareClients, transactionIds);
  send({ phase: 'bare', ...baseline });
  await Promise.all(bareClients.map((c) => c.close({ force: true }).catch(() => {})));
  process.exit(0);
}

if (process.argv[2] === '--load') {
  await loadGenerator(process.argv[3]!, process.argv[4]!);
}

// ---------- server (this process) ----------

const scratch = await createScratchDatabase();
const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, LOG_LEVEL: 'error' }), { poolSize: 10 });
try {
  const db = platform.database.db;
  // Stations of a scratch registry: distinct password hashes for the boot storm, so that every upgrade
  // pays its argon2 verification as after a real outage.
  let t0 = performance.now();
  const shared = await hashStationPassword(PASSWORD);
  for (let from = 0; from < HELD; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, HELD - from) }, (_, k) => from + k);
    const hashes = await Promise.all(batch.map((i) => (i < BOOT ? hashStationPassword(PASSWORD) : shared)));
    await db
      .insertInto('charging_stations')
      .values(batch.map((i, k) => ({
        id: crypto.randomUUID(),
        code: `B${i}`,
        id_station_itinerance: `FRS78PB${i}`,
        name: `Bench ${i}`,
        registration: 'accepted' as const,
        site_id: null,
        commune_insee: null,
        member_id: 'smo',
        longitude: null,
        latitude: null,
        address: '',
        opening_hours: '24/7',
        implantation: 'Voirie',
        access_condition: 'Accès libre',
        pmr: 'Accessibilité inconnue',
        height_restriction: 'Inconnu',
        commissioning_date: null,
        grid_connection: null,
        pdl: null,
        ocpp_identity: `BENCH-${String(i).padStart(5, '0')}`,
        password_hash: hashes[k]!,
        tariff_kwh: 0.3,
        tariff_minute: 0,
        tariff_fixed: 0,
      })))
      .execute();
  }
  await db.insertInto('charging_badges').values({ id_tag: 'BENCH-TAG', label: 'Bench', status: 'Accepted', owner_member_id: 'smo' }).execute();
  console.log(`prepared ${HELD.toLocaleString('en')} stations (${BOOT.toLocaleString('en')} distinct password hashes) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const app = await buildHttpApp(platform, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  const mutualis = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'ocpp1.6' });
  echo.on('connection', (ws) => ws.on('message', (data) => {
    const [type, id] = JSON.parse(String(data)) as [number, string];
    if (type === 2) ws.send(JSON.stringify([3, id, {}]));
  }));
  await new Promise((resolve) => echo.once('listening', resolve));
  const bare = `ws://127.0.0.1:${(echo.address() as AddressInfo).port}`;

  global.gc?.();
  const baseline = process.memoryUsage();
  console.log(`server ready: rss ${mb(baseline.rss)} MB, heap ${mb(baseline.heapUsed)} MB before any station`);
  t0 = performance.now();

  const child: ChildProcess = fork(import.meta.filename, ['--load', mutualis, bare], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const results: Record<string, Message> = {};
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: Message) => {
      results[m.phase] = m;
      if (m.phase === 'boot') console.log(`(a) boot storm: ${Number(m.accepted).toLocaleString('en')}/${BOOT.toLocaleString('en')} stations Accepted in ${Number(m.seconds).toFixed(1)} s (target < 20 s), ${m.retries} connection attempts retried`);
      if (m.phase === 'held') {
        global.gc?.();
        const now = process.memoryUsage();
        const perConnection = (now.rss - baseline.rss) / platform.charging.central.connectedCount;
        results.memory = { phase: 'memory', rss: now.rss, perConnection };
        console.log(
          `(b) ${platform.charging.central.connectedCount.toLocaleString('en')} connections held (heartbeats answered): server rss ${mb(now.rss)} MB (target < 1024 MB), heap ${mb(now.heapUsed)} MB, ` +
            `${(perConnection / 1024).toFixed(1)} KB per connection`,
        );
        child.send('go');
      }
      if (m.phase === 'closed') {
        void (async () => {
          while (platform.charging.central.connectedCount > 0) await new Promise((resolve) => setTimeout(resolve, 100));
          await new Promise((resolve) => setTimeout(resolve, 2000));
          child.send('go');
        })();
      }
      if (m.phase === 'meter') console.log(`(c) MeterValues stored: ${Math.round(Number(m.rate)).toLocaleString('en')}/s over ${SECONDS} s, ${CONCURRENCY} stations, p50 ${Number(m.p50).toFixed(1)} ms, p99 ${Number(m.p99).toFixed(1)} ms (target ≥ 3,000/s, p99 < 100 ms)`);
      if (m.phase === 'bare') console.log(`(d) bare ws echo server, same load: ${Math.round(Number(m.rate)).toLocaleString('en')}/s, p50 ${Number(m.p50).toFixed(1)} ms, p99 ${Number(m.p99).toFixed(1)} ms`);
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited with ${code}`))));
  });
  await platform.charging.central.meters.flush();
  const rows = await db.selectFrom('charging_meter_values').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const ratio = Number(results.meter!.rate) / Number(results.bare!.rate);
  console.log(`ratio (c)/(d): ${ratio.toFixed(2)} (target ≥ 0.25); ${Number(rows.n).toLocaleString('en')} meter value rows in the database (${(Number(results.meter!.messages) * 3).toLocaleString('en')} expected)`);
  echo.close();
  await app.close();
} finally {
  await platform.close();
  await scratch.drop();
}
