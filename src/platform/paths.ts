import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mutualis') return dir;
    if (dir === path.dirname(dir)) throw new Error(`no Mutualis package.json above ${from}`);
  }
}

/**
 * The project's folder. Files found from it work the same from the TypeScript sources (tests, CLI) and
 * from the server bundle that `npm start` runs, where import.meta.url is the bundle's.
 */
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
