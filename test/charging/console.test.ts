import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../e2e/support/console.js';
import { DEMO_OCPP_PASSWORD } from '../../src/modules/charging/index.js';
import { SimulatedStation } from '../../src/modules/charging/simulator.js';

describe('charging console pages', () => {
  let server: ConsoleServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a charge point going occupé live while a station charges', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'technicien@mutualis.demo');
    await page.getByRole('link', { name: 'Recharge : bornes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bornes de recharge' }).waitFor();
    const row = page.locator('tr[data-identity="DEMO-CS-02"]');
    await row.getByTestId('point-1').getByText('hors ligne').waitFor();
    expect(await page.locator('path.leaflet-interactive').count()).toBeGreaterThanOrEqual(7);

    const station = new SimulatedStation({ url: server.url.replace(/^http/, 'ws'), identity: 'DEMO-CS-02', password: DEMO_OCPP_PASSWORD, meterIntervalMs: 500 });
    await station.boot();
    await row.getByTestId('point-1').getByText('libre').waitFor();
    const transaction = (await station.startCharging(1, 'DEMO-TAG-001'))!;
    // No reload: the SSE stream's charging events refresh the list.
    await row.getByTestId('point-1').getByText('occupé').waitFor();
    expect(await row.getByTestId('point-2').textContent()).toBe('libre');
    expect(await axeViolations(page), 'accessibility of the stations page').toEqual([]);
    await screenshot(page, '40-recharge-bornes');

    // The station page: a command and its result in the panel.
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /Houdan/ }).waitFor();
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByTestId('command-outcome').getByText(/GetConfiguration : acceptée/).waitFor();
    await page.getByRole('cell', { name: 'MeterValueSampleInterval', exact: true }).waitFor();
    expect(await page.getByTestId('commands-table').locator('tbody tr').count()).toBe(1);
    expect(await axeViolations(page), 'accessibility of the station page').toEqual([]);
    await screenshot(page, '41-recharge-borne');

    transaction.stop('Local');
    await transaction.stopped;
    await station.close();
    await context.close();
  });

  it('shows sessions with an export link, badges and indicators', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'admin@mutualis.demo');
    await page.getByRole('link', { name: 'Recharge : sessions' }).click();
    await page.getByTestId('sessions-table').locator('tbody tr').first().waitFor();
    await page.getByLabel('Commune (code INSEE)').fill('78310');
    await expect.poll(() => page.getByRole('link', { name: 'Exporter (CSV)' }).getAttribute('href')).toBe('/api/charging/sessions.csv?communeInsee=78310');
    expect(await axeViolations(page), 'accessibility of the sessions page').toEqual([]);
    await screenshot(page, '42-recharge-sessions');

    await page.getByRole('link', { name: 'Recharge : badges' }).click();
    await page.getByTestId('badges-table').getByText('DEMO-TAG-BLOCKED').waitFor();
    expect(await axeViolations(page), 'accessibility of the badges page').toEqual([]);

    await page.getByRole('link', { name: 'Recharge : indicateurs' }).click();
    await page.getByTestId('availability-table').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('availability-table').locator('tbody tr').count()).toBe(14);
    expect(await axeViolations(page), 'accessibility of the indicators page').toEqual([]);
    await screenshot(page, '43-recharge-indicateurs');
    await context.close();
  });
});
