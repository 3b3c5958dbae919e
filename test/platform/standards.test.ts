import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/platform/paths.js';

const WORKSPACE = path.resolve(PROJECT_ROOT, '../shared/standards');
const VENDORED = path.resolve(PROJECT_ROOT, 'standards');

describe('official standards', () => {
  const folders = ['irve', 'decp'];
  it.each(folders)('keeps a copy of %s identical to the workspace reference', (folder) => {
    const files = readdirSync(path.join(VENDORED, folder));
    expect(files.length).toBeGreaterThan(0);
    if (!existsSync(path.join(WORKSPACE, folder))) return; // a clone built alone has only its copy
    expect(files.sort()).toEqual(readdirSync(path.join(WORKSPACE, folder)).sort());
    for (const file of files) {
      expect(readFileSync(path.join(VENDORED, folder, file)), file).toEqual(readFileSync(path.join(WORKSPACE, folder, file)));
    }
  });
});
