import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demo/demo-data.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** The two command lines of the README's quick start, as they are written there. */
function quickStartCommands(): { run: string; test: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('### Demo accounts'));
  const blocks = [...section.matchAll(/```sh\n([^`]+)```/g)].map((m) => m[1]!.trim());
  return { run: blocks[0]!, test: blocks[1]! };
}

describe('README quick start, from a clean clone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-clone-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names exactly two commands: one to start, one to test', () => {
    const { run, test } = quickStartCommands();
    expect(run).toBe('npm ci && npm start');
    expect(test).toBe('npm test');
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('starts the whole platform: API, demo login and console', async () => {
    await exec('git', ['clone', '--quiet', ROOT, dir]);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn('sh', ['-c', quickStartCommands().run], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), PORT: String(port), npm_config_prefer_offline: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 480_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline && child.exitCode === null) {
        healthy = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 500));
      }
      expect(healthy, output.slice(-3000)).toBe(true);

      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@mutualis.demo', password: DEMO_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const sites = (await fetch(`${base}/api/sites`, { headers: { cookie } }).then((r) => r.json())) as { total: number };
      expect(sites.total).toBeGreaterThan(10);
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html[^>]*lang="fr"/);
      expect(fs.existsSync(path.join(dir, 'data'))).toBe(true);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
    }
  }, 600_000);
});
