import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../e2e/support/console.js';

const SAMPLE = path.resolve(import.meta.dirname, '../../src/modules/fibre/samples/ipe-thd78-2025-06-30.csv');

describe('fibre console pages', () => {
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

  it('shows the programme, the map and a commune’s history', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'agent.versailles@mutualis.demo');
    await page.getByRole('link', { name: 'Fibre : avancement' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fibre : avancement du programme' }).waitFor();
    await page.getByText('Objectif', { exact: true }).waitFor();
    expect(await page.locator('path.leaflet-interactive').count()).toBeGreaterThan(150);
    expect(await axeViolations(page), 'accessibility of the fibre map').toEqual([]);
    await screenshot(page, '20-fibre-carte');
    // Zoomed in, the buildings of the communes in view appear, clustered.
    await page.locator('[data-buildings="far"]').waitFor();
    const pathsBefore = await page.locator('path.leaflet-interactive').count();
    for (let i = 0; i < 4; i++) {
      await page.locator('a.leaflet-control-zoom-in').click();
      await page.waitForTimeout(400);
    }
    await page.locator('[data-buildings="shown"], [data-buildings="too-many"]').waitFor();
    await page.waitForFunction(`document.querySelectorAll('.marker-cluster').length + document.querySelectorAll('path.leaflet-interactive').length > ${pathsBefore}`);
    await screenshot(page, '20-fibre-immeubles');
    await page.locator('a.leaflet-control-zoom-out').click();
    await page.locator('a.leaflet-control-zoom-out').click();
    await page.locator('[data-buildings="far"]').waitFor();
    // Members see progress but not the imports.
    expect(await page.getByRole('link', { name: 'Fibre : imports' }).count()).toBe(0);
    await page.locator('table a').first().click();
    await page.getByRole('heading', { level: 1, name: /^Fibre à / }).waitFor();
    await page.getByRole('img', { name: /part de logements raccordables/ }).waitFor();
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await axeViolations(page), 'accessibility of the commune page').toEqual([]);
    await screenshot(page, '21-fibre-commune');
    await context.close();
  });

  it('lets SMO staff upload an operator’s file and shows its rejected lines', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'acheteur@mutualis.demo');
    await page.getByRole('link', { name: 'Fibre : imports' }).click();
    await page.getByLabel('Code opérateur').fill('ESSAI');
    await page.getByLabel('Date du relevé').fill('2025-06-30');
    await page.locator('input[type=file]').setInputFiles(SAMPLE);
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByText('Fichier importé : 30 immeubles, 2 ligne(s) rejetée(s).').waitFor();
    await page.getByRole('cell', { name: /état inconnu « RACCORDE »/ }).waitFor();
    await page.getByRole('cell', { name: 'ESSAI' }).first().waitFor();
    expect(await axeViolations(page), 'accessibility of the imports page').toEqual([]);
    await screenshot(page, '22-fibre-imports');
    await context.close();
  });
});
