import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/platform/paths.js';

const WORKSPACE = path.resolve(PROJECT_ROOT, '../shared/standards');
const VENDORED = path.resolve(PROJECT_ROOT, 'standards');

/** The workspace's reference copy of an official standard file when present, else the project's copy. */
export function standardPath(relative: string): string {
  const reference = path.join(WORKSPACE, relative);
  return existsSync(reference) ? reference : path.join(VENDORED, relative);
}

export function readStandard(relative: string): string {
  return readFileSync(standardPath(relative), 'utf8');
}

export function readStandardJson<T = unknown>(relative: string): T {
  return JSON.parse(readStandard(relative)) as T;
}
