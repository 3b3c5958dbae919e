import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/test-platform.js';
import { axeViolations, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer , field, focused } from './support/console.js';

let server: ConsoleServer;
let browser: Browser;
let admin: { context: BrowserContext; page: Page };

beforeAll(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  admin = await newPage(browser, server.url);
  await signIn(admin.page, 'admin@mutualis.demo');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function checkPage(page: Page, name: string) {
  expect(await axeViolations(page), `accessibility of ${name}`).toEqual([]);
  await screenshot(page, name);
}

describe('console: territory', () => {
  it('draws every commune of the 78 and 92 on the map, coloured by adhesion, with no tiles configured', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Carte du territoire' }).click();
    await page.getByRole('heading', { level: 1, name: 'Carte du territoire' }).waitFor();
    expect(await page.title()).toBe('Carte du territoire – Mutualis');
    await page.getByTestId('commune-count').waitFor();
    await expect.poll(() => page.locator('path.commune-shape').count()).toBe(295);
    expect(await page.locator('.leaflet-tile').count()).toBe(0);
    const fills = new Set(await page.locator('path.commune-shape').evaluateAll((paths) => paths.map((p) => p.getAttribute('fill'))));
    expect(fills.size).toBeGreaterThanOrEqual(2);
    expect(await page.getByText(/Adhérente \(\d+\)/).count()).toBe(1);
    await checkPage(page, '03-carte');
  });

  it('opens the commune page from the map and from the commune search', async () => {
    const { page } = admin;
    const versailles = page.locator('path.commune-shape').nth(0);
    await versailles.dispatchEvent('click');
    await page.waitForURL(/\/territoire\/communes\/(78|92)\d{3}$/);
    await page.getByText('Code INSEE').waitFor();

    await page.goto('/territoire/carte');
    await page.getByLabel('Rechercher une commune').fill('Versailles');
    await page.getByRole('link', { name: 'Versailles', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Versailles' }).waitFor();
    expect(await page.title()).toBe('Versailles – Mutualis');
    await page.getByText('78646').waitFor();
    await page.getByRole('link', { name: 'Hôtel de ville de Versailles' }).waitFor();
    await checkPage(page, '04-commune');
  });

  it('searches, filters and sorts the sites list', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Sites', exact: true }).click();
    const table = page.getByTestId('sites-table');
    // 13 demo sites, the 10 schools of Clamart that the education demo adds, the charging demo's 3 car parks
    // and the security demo's gymnasium: 27, on two pages of 25.
    const results = page.getByRole('status').filter({ hasText: /résultat/ });
    await expect.poll(() => results.textContent()).toBe('27 résultats');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(25);
    await checkPage(page, '05-sites');

    await page.getByLabel(field('Rechercher')).fill('parking');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(7);
    await page.waitForURL(/q=parking/);
    await page.getByLabel(field('Rechercher')).fill('');
    await expect.poll(() => results.textContent()).toBe('27 résultats');

    await page.getByRole('combobox', { name: 'Type', exact: true }).click();
    await page.getByRole('option', { name: 'École' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(14);
    const ascending = await table.locator('tbody tr td:first-child').allTextContents();
    await page.getByRole('combobox', { name: 'Trier par' }).click();
    await page.getByRole('option', { name: 'Nom (Z → A)' }).click();
    await page.waitForURL(/sort=-name/);
    await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual([...ascending].reverse());
    await page.goto('/sites');
  });

  it('creates a site: an invalid field is reported beside its input, then fixed', async () => {
    const { page } = admin;
    await page.goto('/sites');
    await page.getByRole('link', { name: 'Nouveau site' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nouveau site' }).waitFor();
    await page.getByRole('combobox', { name: 'Type de site' }).click();
    await page.getByRole('option', { name: 'Parking' }).click();
    await page.getByLabel(field('Nom')).fill('Parking de la gare de Versailles-Chantiers');
    await page.getByLabel(field('Adresse')).fill('Rue des Chantiers, 78000 Versailles');
    await page.getByLabel(field('Latitude')).fill('45,76');
    await page.getByLabel(field('Longitude')).fill('4,83');
    await page.getByRole('button', { name: 'Créer le site' }).click();

    const summary = page.getByRole('alert').filter({ hasText: 'Le site n’a pas été enregistré' });
    await summary.waitFor();
    const longitude = page.getByLabel(field('Longitude'));
    expect(await longitude.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await longitude.getAttribute('aria-describedby')) ?? '';
    const described = (await Promise.all(describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()))).join(' ');
    expect(described).toContain('hors du territoire');
    await checkPage(page, '06-site-formulaire-erreurs');

    await summary.getByRole('link', { name: /Longitude/ }).click();
    expect(await focused.id(page)).toBe('site-longitude');
    await page.getByLabel(field('Latitude')).fill('48,7955');
    await longitude.fill('2,1353');
    await page.getByRole('button', { name: 'Créer le site' }).click();
    await page.getByRole('heading', { level: 1, name: 'Parking de la gare de Versailles-Chantiers' }).waitFor();
    await page.getByRole('link', { name: 'Versailles (78646)' }).waitFor();
    await checkPage(page, '07-site');

    await page.getByRole('link', { name: 'Modifier' }).click();
    await page.getByLabel(field('Nom')).fill('Parking Versailles-Chantiers');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Parking Versailles-Chantiers' }).waitFor();
  });

  it('shows a site created elsewhere while the list is open (live update)', async () => {
    const { page } = admin;
    // Clamart's sites fit on one page, where the new one must appear.
    await page.goto('/sites?q=Clamart');
    const table = page.getByTestId('sites-table');
    await table.locator('tbody tr').first().waitFor();
    await page.locator('[data-live-state="open"]').waitFor();
    const before = await table.locator('tbody tr').count();

    const clamart = await ApiClient.signIn(server.platform.app, 'admin.clamart@mutualis.demo');
    const res = await clamart.post('/api/sites', { kind: 'public_building', name: 'Médiathèque de Clamart', address: '2 rue de Bièvres, 92140 Clamart', longitude: 2.2637, latitude: 48.7992 });
    expect(res.statusCode).toBe(201);

    await table.getByRole('link', { name: 'Médiathèque de Clamart' }).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(before + 1);
  });

  it('administers users and verifies the audit trail', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByTestId('users-table').getByText('agent.versailles@mutualis.demo').waitFor();
    await checkPage(page, '08-utilisateurs');
    await page.getByRole('button', { name: 'Nouveau compte' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(field('Adresse électronique')).fill('nouvel.agent@mutualis.demo');
    await dialog.getByLabel(field('Nom affiché')).fill('Nouvel Agent');
    await dialog.getByLabel(field('Mot de passe')).fill('Un-mot-de-passe-2026!');
    await dialog.getByRole('button', { name: 'Créer le compte' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('users-table').getByText('nouvel.agent@mutualis.demo').waitFor();

    const auditor = await newPage(browser, server.url);
    await signIn(auditor.page, 'auditeur@mutualis.demo');
    await auditor.page.getByRole('link', { name: "Journal d'audit" }).click();
    await auditor.page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
    await auditor.page.getByRole('button', { name: "Vérifier l'intégrité" }).click();
    await auditor.page.getByTestId('audit-verification').getByText(/Chaîne intègre : \d+ entrées vérifiées/).waitFor();
    await checkPage(auditor.page, '09-audit');
    await auditor.context.close();
  });
});
