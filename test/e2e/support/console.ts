import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../../support/test-platform.js';
import { consolePlugin } from '../../../src/platform/http/console.js';
import { DEMO_PASSWORD } from '../../../src/demo/demo-data.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const SCREENSHOTS = 'test-results/console';

export interface ConsoleServer {
  platform: TestPlatform;
  url: string;
  close(): Promise<void>;
}

/** The whole platform with the built console, listening on a free loopback port, as `npm start` runs it. */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const platform = await startTestPlatform('pglite', {
    env,
    http: { extend: (app) => consolePlugin(app, { tileUrl: env.TILE_URL, ensureBuilt: true }) },
  });
  await platform.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = platform.app.server.address() as AddressInfo;
  return { platform, url: `http://127.0.0.1:${port}`, close: () => platform.close() };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function newPage(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  // axe-core is injected as an inline script, which the console's CSP rightly forbids.
  const context = await browser.newContext({ baseURL, locale: 'fr-FR', viewport: { width: 1366, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page };
}

/** Signs in through the login form and waits for the dashboard. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/connexion');
  await page.getByLabel(field('Adresse électronique')).fill(email);
  await page.getByLabel(field('Mot de passe')).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Serious and critical WCAG 2.1 A/AA violations on the page as it is now. Browser-side code is passed as
 * text: the project's type-checking has no DOM library.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate<AxeViolation[]>(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)",
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, ...(n.failureSummary !== undefined && { failureSummary: n.failureSummary }) })) }));
}

/** The focused element's id, text or attribute. */
export const focused = {
  id: (page: Page) => page.evaluate<string | undefined>('document.activeElement?.id'),
  text: (page: Page) => page.evaluate<string | undefined>('document.activeElement?.textContent'),
  attribute: (page: Page, name: string) => page.evaluate<string | null | undefined>(`document.activeElement?.getAttribute(${JSON.stringify(name)})`),
};

/** A form field by its exact label; required fields' labels end with an asterisk. */
export const field = (label: string) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?$`);
