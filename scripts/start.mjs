// `npm start`: runs the server from a bundle of src/ that is rebuilt whenever the sources change. Node
// then loads plain JavaScript instead of passing every import through a TypeScript loader, which halves
// the start-up time. Packages stay in node_modules (not bundled).
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'dist', 'server');
const STAMP = path.join(OUT, '.sources-hash');

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) yield full;
  }
}

async function sourcesHash() {
  const files = [path.join(ROOT, 'package-lock.json'), path.join(ROOT, 'tsconfig.json')];
  for await (const file of sources(path.join(ROOT, 'src'))) files.push(file);
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(path.relative(ROOT, file)).update('\0').update(await readFile(file)).update('\0');
  return hash.digest('hex');
}

const hash = await sourcesHash();
if ((await readFile(STAMP, 'utf8').catch(() => '')) !== hash) {
  const { build } = await import('esbuild');
  // Built beside, then swapped in, so that a concurrent start never runs half a bundle.
  const scratch = `${OUT}.${process.pid}`;
  await build({
    // The evidence package builder runs in a process of its own (src/modules/evidence/package-builder.ts).
    entryPoints: { main: path.join(ROOT, 'src', 'main.ts'), 'package-builder': path.join(ROOT, 'src', 'modules', 'evidence', 'package-builder.ts') },
    outdir: scratch,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  await writeFile(path.join(scratch, '.sources-hash'), hash);
  await rm(OUT, { recursive: true, force: true });
  await rename(scratch, OUT);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(path.join(OUT, 'main.mjs')).href);
