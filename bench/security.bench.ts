/**
 * Security ingestion benchmark, on PostgreSQL and the machine's Mosquitto (127.0.0.1:1883):
 * 1. throughput: a load generator publishes BENCH_EVENTS Frigate-format and access-control events (QoS 1)
 *    to the demo devices; prints the events stored per second, and, as the baseline measured in the same
 *    run, the messages per second a bare MQTT.js subscriber of the same topics received, with the ratio;
 * 2. latency: BENCH_RATE events/s for BENCH_SECONDS, each raising an alarm, timed from publication to the
 *    alarm's arrival on a supervisor's live stream (/api/stream, SSE): p50 and p99.
 * Usage: npm run bench:security   (env BENCH_EVENTS=40000 BENCH_RATE=1000 BENCH_SECONDS=10 TEST_MQTT_URL=…)
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { buildHttpApp } from '../src/platform/http/app.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.service.js';
import { seedDemo } from '../src/demo/seed.js';
import { DEMO_PASSWORD } from '../src/demo/demo-data.js';
import { deviceEventMessage, frigateEventMessage, type Message } from '../src/modules/security/simulator.js';
import { createScratchDatabase } from '../test/support/databases.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 40_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const tag = `bench${randomUUID().slice(0, 8)}`;
const prefixes = { frigate: `${tag}/frigate`, devices: `${tag}/devices` };
const QUIET = { info: () => {}, warn: () => {}, error: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * The load generator runs in a worker thread, so that it has its own event loop (the machine's second core)
 * instead of competing with the server it measures. rate 0: as fast as the broker takes them (2,000 in
 * flight); otherwise paced on the wall clock, each generic event stamped with its publication time.
 */
const PUBLISHER = `
const { parentPort, workerData } = require('node:worker_threads');
const mqtt = require(workerData.mqttPath);
(async () => {
  const client = await mqtt.connectAsync(workerData.url, { clientId: workerData.clientId, clean: true });
  const { messages, rate } = workerData;
  const started = Date.now();
  if (rate === 0) {
    for (let i = 0; i < messages.length; i += 2000) {
      await Promise.all(messages.slice(i, i + 2000).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
    }
  } else {
    const pending = [];
    for (let i = 0; i < messages.length; i++) {
      const wait = started + (i * 1000) / rate - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.parse(messages[i].payload);
      body.occurredAt = new Date().toISOString();
      pending.push(client.publishAsync(messages[i].topic, JSON.stringify(body), { qos: 1 }));
    }
    await Promise.all(pending);
  }
  await client.endAsync();
  parentPort.postMessage(Date.now() - started);
})().catch((error) => { throw error; });
`;

async function publishFromWorker(messages: Message[], rate: number, clientId: string): Promise<number> {
  const worker = new Worker(PUBLISHER, { eval: true, workerData: { messages, rate, clientId, url: BROKER, mqttPath: createRequire(import.meta.url).resolve('mqtt') } });
  const [ms] = (await once(worker, 'message')) as [number];
  await worker.terminate();
  return ms;
}

const scratch = await createScratchDatabase();
const platform = await openPlatform(loadConfig({ NODE_ENV: 'test', DATABASE_URL: scratch.url, MQTT_URL: BROKER, MQTT_CLIENT_ID: `${tag}_server`, FRIGATE_TOPIC_PREFIX: prefixes.frigate, DEVICE_TOPIC_PREFIX: prefixes.devices, LOG_LEVEL: 'warn' }), { poolSize: 8 });
const app = await buildHttpApp(platform, { logger: false });
let bare: mqtt.MqttClient | undefined;
try {
  console.log(`preparing: PostgreSQL scratch database, demo data, broker ${BROKER}`);
  await seedDemo(platform);
  // Latency phase: 100 readers whose "duress" events each raise their own alarm (no grouping).
  const site = (await platform.database.db.selectFrom('sites').select('id').where('name', '=', 'Gymnase Montbauron').executeTakeFirstOrThrow()).id;
  const readers: string[] = [];
  for (let i = 0; i < 100; i++) {
    const code = `BENCH-READER-${String(i).padStart(3, '0')}`;
    const reader = await platform.security.devices.create(SYSTEM_ACTOR, { code, name: code, kind: 'reader', model: 'badge', siteId: site });
    readers.push(code);
    await platform.security.rules.create(SYSTEM_ACTOR, { name: code, kind: 'event', eventType: 'duress', otherEventType: null, alarmType: 'duress', threshold: null, correlationWindowSec: null, siteId: null, deviceId: reader.id, windows: [], priority: 1, groupWindowSec: 0, deadlineSec: 600, enabled: true });
  }
  await platform.security.start(QUIET);
  await platform.security.ready();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // ----- 1. throughput -----
  const topics = [`${prefixes.frigate}/events`, `${prefixes.devices}/+/events`];
  bare = await mqtt.connectAsync(BROKER, { clientId: `${tag}_bare`, clean: true, protocolVersion: 5, properties: { receiveMaximum: 65_535 } });
  let bareCount = 0;
  let bareDone = 0;
  bare.on('message', () => {
    bareCount += 1;
    if (bareCount === EVENTS) bareDone = performance.now();
  });
  await bare.subscribeAsync(Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }])));
  const cameras = Array.from({ length: 10 }, (_, i) => `demo_cam_${String(i + 1).padStart(2, '0')}`);
  const doors = ['DEMO-DOOR-01', 'DEMO-DOOR-02', 'DEMO-DOOR-03', 'DEMO-DOOR-04'];
  const readersDemo = ['DEMO-READER-01', 'DEMO-READER-02', 'DEMO-READER-03', 'DEMO-READER-04'];
  const message = (i: number): Message => {
    const kind = i % 4;
    if (kind === 0 || kind === 1) return frigateEventMessage(prefixes, cameras[i % 10]!, `${Date.now() / 1000}-${i}`, 'new', Date.now() / 1000);
    if (kind === 2) return deviceEventMessage(prefixes, doors[i % 4]!, 'door_held_open', { seconds: 40 }, `${tag}-${i}`);
    return deviceEventMessage(prefixes, readersDemo[i % 4]!, 'access_denied', { badge: '04AB12' }, `${tag}-${i}`);
  };
  const storedBefore = platform.security.ingest.stats.stored;
  console.log(`throughput: publishing ${EVENTS} events (half Frigate frigate/events, half access control)…`);
  const load = Array.from({ length: EVENTS }, (_, i) => message(i));
  const started = performance.now();
  const publishing = publishFromWorker(load, 0, `${tag}_pub`);
  let storedAt = 0;
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const stored = platform.security.ingest.stats.stored - storedBefore;
    if (stored >= EVENTS) {
      storedAt = performance.now();
      break;
    }
    await sleep(20);
  }
  while (!bareDone && Date.now() < deadline) await sleep(20);
  const publishMs = await publishing;
  if (!storedAt) throw new Error(`only ${platform.security.ingest.stats.stored - storedBefore} of ${EVENTS} events stored after 5 minutes`);
  const storedRate = EVENTS / ((storedAt - started) / 1000);
  const bareRate = EVENTS / ((bareDone - started) / 1000);
  const count = Number((await platform.database.db.selectFrom('security_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  // ----- 2. latency on a console's live stream -----
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'superviseur@mutualis.demo', password: DEMO_PASSWORD }) });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const stream = await fetch(`${base}/api/stream`, { headers: { cookie, accept: 'text/event-stream' } });
  const reader = stream.body!.getReader();
  const latencies: number[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as { topic: string; data: { type?: string; lastEventAt?: string } };
        if (event.topic === 'security.security_alarm.created' && event.data.type === 'duress') latencies.push(Date.now() - Date.parse(event.data.lastEventAt!));
      }
    }
  })();
  const total = RATE * SECONDS;
  console.log(`latency: ${total} events at ${RATE}/s, each raising an alarm, timed to the supervisor's live stream…`);
  const paced = Array.from({ length: total }, (_, i) => deviceEventMessage(prefixes, readers[i % readers.length]!, 'duress', {}, `${tag}-lat-${i}`));
  await publishFromWorker(paced, RATE, `${tag}_pub2`);
  const latencyDeadline = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < latencyDeadline) await sleep(50);
  await reader.cancel();
  await reading.catch(() => {});
  latencies.sort((a, b) => a - b);

  const ratio = storedRate / bareRate;
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log('');
  console.log(`events stored per second (sustained)   ${Math.round(storedRate)} ev/s   target >= 5000   ${mark(storedRate >= 5000)}`);
  console.log(`bare MQTT.js subscriber, same messages ${Math.round(bareRate)} msg/s`);
  console.log(`ratio stored / bare subscriber         ${ratio.toFixed(2)}   target >= 0.3   ${mark(ratio >= 0.3)}`);
  console.log(`events in the database                 ${count} (of ${EVENTS} published; publishing took ${publishMs} ms)`);
  console.log(`publish -> alarm on SSE at ${RATE} ev/s    p50 ${p50} ms   p99 ${p99} ms   target p99 < 250 ms   ${mark(p99 < 250)}   (${latencies.length}/${total} alarms received)`);
} finally {
  await bare?.endAsync().catch(() => {});
  await app.close();
  await platform.close();
  await scratch.drop();
}
