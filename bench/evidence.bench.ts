/**
 * Evidence package benchmark: builds a package from BENCH_MB (default 1024) MiB of segments of BENCH_SEGMENT_MB
 * (default 8) MiB each, and prints its throughput and the peak memory (RSS) of the builder process, which
 * the server forks for each package (package-builder.ts), read from /proc while it runs. The database is the
 * machine's PostgreSQL, as in production (BENCH_DB=pglite for the embedded one). The baseline, measured in the same run over the same files, is what a careful
 * operator would do by hand: `sha256sum` of the segments then `cp` of them into a folder. Ratio = baseline
 * time / build time (target ≥ 0.6), best of BENCH_ROUNDS (default 2) for each, page cache warm for both.
 * Usage: npm run bench:evidence
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.service.js';
import { createScratchDatabase } from '../test/support/databases.js';

const TOTAL_MB = Number(process.env.BENCH_MB ?? 1024);
const SEGMENT_MB = Number(process.env.BENCH_SEGMENT_MB ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const MiB = 1 << 20;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-bench-evidence-'));
const recordings = path.join(work, 'recordings');
const embedded = process.env.BENCH_DB === 'pglite';
const scratch = embedded ? undefined : await createScratchDatabase();
const env = { NODE_ENV: 'test', DATA_DIR: path.join(work, 'data'), RECORDINGS_DIR: recordings, EVIDENCE_DIR: path.join(work, 'evidence'), ...(scratch && { DATABASE_URL: scratch.url }) };
const platform = await openPlatform(loadConfig(env), { inMemory: true, poolSize: 4 });
try {
  const site = await platform.territory.createSite(SYSTEM_ACTOR, { kind: 'public_building', name: 'Banc d’essai', memberId: 'com-78646', address: '4 avenue de Paris, 78000 Versailles', longitude: 2.1296, latitude: 48.8014 });
  const camera = await platform.security.devices.create(SYSTEM_ACTOR, { code: 'BENCH-CAM', name: 'Caméra du banc', kind: 'camera', model: 'fixed', siteId: site.id });

  // Segments of random bytes: a package copies and hashes bytes, whatever they encode.
  const count = Math.ceil(TOTAL_MB / SEGMENT_MB);
  const start = Date.now() - 3_600_000;
  const files: string[] = [];
  const chunk = randomBytes(MiB);
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 10_000);
    const relative = `BENCH-CAM/${at.toISOString().slice(0, 10)}/${at.toISOString().slice(11, 19).replaceAll(':', '-')}.mp4`;
    const file = path.join(recordings, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'w');
    for (let m = 0; m < SEGMENT_MB; m++) {
      chunk.writeUInt32BE(i * SEGMENT_MB + m, 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    files.push(file);
    await platform.evidence.recordings.register({ camera: camera.code, from: at.toISOString(), to: new Date(at.getTime() + 10_000).toISOString(), location: relative });
  }
  const bytes = count * SEGMENT_MB * MiB;
  const requisition = await platform.evidence.requisitions.create(SYSTEM_ACTOR, {
    number: 'BENCH-1',
    siteId: site.id,
    authority: 'Parquet',
    officerName: 'Banc',
    officerService: 'Banc',
    legalBasis: 'banc d’essai',
    cameraIds: [camera.id],
    from: new Date(start).toISOString(),
    to: new Date(start + count * 10_000).toISOString(),
    deadline: '2030-01-01',
  });
  execFileSync('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`]);

  const baseline = () => {
    const copy = path.join(work, 'baseline');
    fs.mkdirSync(copy, { recursive: true });
    const t0 = process.hrtime.bigint();
    execFileSync('sh', ['-c', `sha256sum "$@" > '${path.join(work, 'sums')}' && cp "$@" '${copy}/' && sync`, 'sh', ...files]);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    fs.rmSync(copy, { recursive: true, force: true });
    return seconds;
  };
  const build = async () => {
    let peak = 0;
    let serverPeak = 0;
    const t0 = process.hrtime.bigint();
    const started = await platform.evidence.packages.extract(SYSTEM_ACTOR, requisition.id, 'banc d’essai');
    // VmHWM: the builder's own high-water mark of resident memory, kept by the kernel.
    const sampler = setInterval(() => {
      serverPeak = Math.max(serverPeak, process.memoryUsage().rss);
      const pid = platform.evidence.packages.builders.get(started.id);
      let status: RegExpMatchArray | null = null;
      try {
        status = pid ? fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/) : null;
      } catch {
        // The builder has just exited: nothing more to read.
      }
      if (status) peak = Math.max(peak, Number(status[1]) * 1024);
    }, 5);
    const pkg = await platform.evidence.packages.settled(started.id);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    if (pkg.status !== 'ready') throw new Error(`package failed: ${pkg.error}`);
    fs.rmSync(path.join(platform.evidence.packages.root, pkg.name), { recursive: true, force: true });
    return { seconds, peakMb: peak / MiB, serverMb: serverPeak / MiB };
  };

  const baselines: number[] = [];
  const builds: Array<{ seconds: number; peakMb: number; serverMb: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(baseline());
    builds.push(await build());
  }
  const bestBaseline = Math.min(...baselines);
  const best = builds.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const peak = Math.max(...builds.map((b) => b.peakMb));
  const mbps = (seconds: number) => (bytes / MiB / seconds).toFixed(0);
  console.log(`evidence package: ${count} segments, ${(bytes / MiB).toFixed(0)} MiB, database ${platform.database.kind}`);
  console.log(`  build (copy + SHA-256 + manifest + signature + fsync): ${best.seconds.toFixed(2)} s, ${mbps(best.seconds)} MiB/s   [rounds: ${builds.map((b) => b.seconds.toFixed(2)).join(', ')}]`);
  console.log(`  baseline sha256sum + cp (+ sync):                       ${bestBaseline.toFixed(2)} s, ${mbps(bestBaseline)} MiB/s   [rounds: ${baselines.map((b) => b.toFixed(2)).join(', ')}]`);
  console.log(`  ratio (baseline time / build time): ${(bestBaseline / best.seconds).toFixed(2)}   (target ≥ 0.6)`);
  console.log(`  builder process peak RSS: ${peak.toFixed(0)} MB (target < 200 MB); the server process meanwhile: ${Math.max(...builds.map((b) => b.serverMb)).toFixed(0)} MB`);
} finally {
  await platform.close();
  await scratch?.drop();
  fs.rmSync(work, { recursive: true, force: true });
}
