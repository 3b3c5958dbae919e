/**
 * The console's weight and speed as a user meets them: the built console served by the real server on
 * loopback (embedded database with the demo data), driven by Debian's Chromium.
 *
 * Prints the gzip size of the JavaScript the sign-in page and the dashboard load (target: < 350 KB for the
 * first page), the time from "Se connecter" to a dashboard with its figures, and the time to the same
 * dashboard on a cold load with a session (target: < 1.5 s), each as a median of RUNS and as a ratio to a
 * blank static page loaded by the same browser in the same run.
 */
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestPlatform } from '../test/support/test-platform.js';
import { consolePlugin } from '../src/platform/http/console.js';
import { DEMO_PASSWORD } from '../src/demo/demo-data.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/support/console.js';

const RUNS = Number(process.env.RUNS ?? 7);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startTestPlatform('pglite', { http: { extend: (app) => consolePlugin(app, { tileUrl: undefined, ensureBuilt: true }) } });
await server.app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;

// The baseline: the smallest page a browser can load from a local server, with one script.
const blank = Fastify({ logger: false });
blank.get('/', async (_request, reply) => reply.type('text/html').send('<!doctype html><html lang="fr"><title>vide</title><script src="/s.js"></script><p id="ok">prêt</p></html>'));
blank.get('/s.js', async (_request, reply) => reply.type('application/javascript').send('document.title = "prêt";'));
await blank.listen({ port: 0, host: '127.0.0.1' });
const blankUrl = `http://127.0.0.1:${(blank.server.address() as AddressInfo).port}/`;

const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

async function fresh(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
  return context.newPage();
}

/** Gzip sizes of the scripts a page loads while `action` runs. */
async function scriptsLoaded(page: Page, action: () => Promise<void>): Promise<{ files: number; gzip: number; raw: number }> {
  const bodies: Promise<Buffer>[] = [];
  const onResponse = (response: import('playwright-core').Response) => {
    if (response.request().resourceType() === 'script') bodies.push(response.body());
  };
  page.on('response', onResponse);
  await action();
  page.off('response', onResponse);
  const all = await Promise.all(bodies);
  return { files: all.length, raw: all.reduce((n, b) => n + b.length, 0), gzip: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

const dashboardReady = (page: Page) => page.locator('.tile-value').first().waitFor();

async function signIn(page: Page): Promise<number> {
  await page.getByLabel(/^Adresse électronique/).fill('admin@mutualis.demo');
  await page.getByLabel(/^Mot de passe/).fill(DEMO_PASSWORD);
  const started = performance.now();
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await dashboardReady(page);
  return performance.now() - started;
}

// Warm the server (first queries, the catalogue) so that the runs measure the console, not a cold start.
{
  const page = await fresh();
  await page.goto(`${base}/connexion`);
  await signIn(page);
  await page.context().close();
}

let loginScripts = { files: 0, gzip: 0, raw: 0 };
let dashboardScripts = { files: 0, gzip: 0, raw: 0 };
const blankMs: number[] = [];
const signInMs: number[] = [];
const coldMs: number[] = [];

for (let run = 0; run < RUNS; run += 1) {
  const baseline = await fresh();
  let started = performance.now();
  await baseline.goto(blankUrl, { waitUntil: 'load' });
  blankMs.push(performance.now() - started);
  await baseline.context().close();

  const page = await fresh();
  loginScripts = await scriptsLoaded(page, async () => {
    await page.goto(`${base}/connexion`, { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
  });
  let ms = 0;
  dashboardScripts = await scriptsLoaded(page, async () => {
    ms = await signIn(page);
  });
  signInMs.push(ms);

  // A cold load of the dashboard with a session: a new context (empty cache) holding the session cookie.
  const coldContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
  await coldContext.addCookies(await page.context().cookies());
  const cold = await coldContext.newPage();
  started = performance.now();
  await cold.goto(`${base}/`);
  await dashboardReady(cold);
  coldMs.push(performance.now() - started);
  await coldContext.close();
  await page.context().close();
}

await browser.close();
await blank.close();
await server.close();

const kb = (n: number) => (n / 1024).toFixed(1);
const baselineMs = median(blankMs);
const result = {
  runs: RUNS,
  firstPageJsGzipKB: Number(kb(loginScripts.gzip)),
  firstPageJsFiles: loginScripts.files,
  dashboardExtraJsGzipKB: Number(kb(dashboardScripts.gzip)),
  dashboardExtraJsFiles: dashboardScripts.files,
  blankPageMs: Math.round(baselineMs),
  signInToDashboardMs: Math.round(median(signInMs)),
  coldDashboardMs: Math.round(median(coldMs)),
};
console.log(`console bench (${RUNS} runs, medians; Chromium headless on loopback)`);
console.log(`  JS of the first page (sign-in):   ${kb(loginScripts.gzip)} KB gzip in ${loginScripts.files} files (${kb(loginScripts.raw)} KB raw)   target < 350 KB`);
console.log(`  JS added by the dashboard:        ${kb(dashboardScripts.gzip)} KB gzip in ${dashboardScripts.files} files`);
console.log(`  blank static page (baseline):     ${baselineMs.toFixed(0)} ms`);
console.log(`  sign-in → dashboard with figures: ${median(signInMs).toFixed(0)} ms   (${(median(signInMs) / baselineMs).toFixed(1)}× baseline)   target < 1500 ms`);
console.log(`  cold load of the dashboard:       ${median(coldMs).toFixed(0)} ms   (${(median(coldMs) / baselineMs).toFixed(1)}× baseline)   target < 1500 ms`);
console.log(JSON.stringify(result));
