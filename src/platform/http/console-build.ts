import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

export const WEB_DIR = path.join(PROJECT_ROOT, 'web');
export const CONSOLE_DIST = path.join(WEB_DIR, 'dist');
const STAMP = '.sources-hash';
const LOCK = path.join(WEB_DIR, '.build-lock');

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (!/\.test\.tsx?$/.test(entry.name)) yield full;
  }
}

/**
 * A hash of everything the build reads: the sources, the build configuration and the installed
 * versions. Content, not mtimes, so that a fresh clone or a checkout does not force a rebuild.
 */
export async function consoleSourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const inputs = [path.join(WEB_DIR, 'index.html'), path.join(WEB_DIR, 'vite.config.ts'), path.join(WEB_DIR, '..', 'package-lock.json')];
  for await (const file of filesUnder(path.join(WEB_DIR, 'src'))) inputs.push(file);
  for (const file of inputs.sort()) {
    hash.update(path.relative(WEB_DIR, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function builtHash(): Promise<string | undefined> {
  return readFile(path.join(CONSOLE_DIST, STAMP), 'utf8').catch(() => undefined);
}

/** Held while one process builds, so that test workers started together build once. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      // A builder killed mid-way leaves its lock behind; no build takes that long.
      if (age > 5 * 60_000) await rmdir(LOCK).catch(() => {});
      if (Date.now() > deadline) throw new Error(`console build: ${LOCK} is held by another process for too long`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(LOCK).catch(() => {});
  }
}

export interface EnsureBuiltResult {
  built: boolean;
  ms: number;
}

/**
 * Builds the console into web/dist unless the build there came from the same sources. The build goes to
 * a scratch folder first, so a server never serves half a build.
 */
export async function ensureConsoleBuilt(options: { force?: boolean; log?: (message: string) => void } = {}): Promise<EnsureBuiltResult> {
  const started = performance.now();
  const sources = await consoleSourcesHash();
  if (!options.force && (await builtHash()) === sources) return { built: false, ms: performance.now() - started };
  return withBuildLock(async () => {
    if (!options.force && (await builtHash()) === sources) return { built: false, ms: performance.now() - started };
    options.log?.('building the web console (web/dist is missing or older than web/src)');
    const scratch = path.join(WEB_DIR, `.dist-${process.pid}`);
    const { build } = await import('vite');
    await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir: scratch, emptyOutDir: true } });
    await writeFile(path.join(scratch, STAMP), sources);
    await rm(CONSOLE_DIST, { recursive: true, force: true });
    await rename(scratch, CONSOLE_DIST);
    return { built: true, ms: performance.now() - started };
  });
}
