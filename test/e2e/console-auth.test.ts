import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.js';
import { axeViolations, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer , field, focused } from './support/console.js';

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

const navLinks = async (page: import('playwright-core').Page) =>
  (await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link').allTextContents()).map((t) => t.trim());

describe('console: sign-in, shell and roles', () => {
  it('refuses a wrong password, then signs in and shows the member acted for', async () => {
    const { context, page } = await newPage(browser, server.url);
    await page.goto('/');
    await page.waitForURL(/\/connexion$/);
    await expect.poll(() => page.title()).toBe('Connexion – Mutualis');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, '01-connexion');

    await page.getByLabel(field('Adresse électronique')).fill('admin@mutualis.demo');
    await page.getByLabel(field('Mot de passe')).fill('mauvais-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.getAttribute('role')).toBe('alert');
    expect(await error.textContent()).toMatch(/\S/);
    expect(await focused.attribute(page, 'data-testid')).toBe('login-error');
    await screenshot(page, '01-connexion-erreur');

    await signIn(page, 'admin@mutualis.demo');
    expect(await page.title()).toBe('Tableau de bord – Mutualis');
    const actingFor = page.getByTestId('acting-for');
    expect(await actingFor.textContent()).toContain('Claire Admin');
    expect(await actingFor.textContent()).toContain('Administrateur du syndicat');
    expect(await navLinks(page)).toEqual([
      'Accueil',
      'Carte du territoire',
      'Sites',
      'Fibre : avancement',
      'Fibre : imports',
      'Achats : catalogue',
      'Achats : commandes',
      'Achats : validation',
      'Achats : budgets',
      'Achats : économies',
      'Achats : accords-cadres',
      'Éducation : écoles',
      'Éducation : parc',
      'Éducation : réparations',
      'Éducation : programme',
      'Recharge : bornes',
      'Recharge : sessions',
      'Recharge : badges',
      'Recharge : indicateurs',
      'Alarmes',
      'Indicateurs de sûreté',
      'Équipements de sûreté',
      'Études de sûreté',
      'Règles d’alarme',
      'Messages rejetés',
      'Preuves : réquisitions',
      'Preuves : gels',
      'Preuves : enregistrements',
      'Preuves : registre',
      'Preuves : autorisations',
      'Utilisateurs',
      "Journal d'audit",
    ]);
    await page.getByText('Communes du territoire').waitFor();
    expect(await page.locator('.tile', { hasText: 'Communes du territoire' }).locator('.tile-value').textContent()).toBe('295');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, '02-tableau-de-bord');
    await context.close();
  });

  it('shows the lockout message of the API after repeated failures', async () => {
    const { context, page } = await newPage(browser, server.url);
    await page.goto('/connexion');
    await page.getByLabel(field('Adresse électronique')).fill('superviseur@mutualis.demo');
    for (let i = 0; i < 5; i += 1) {
      await page.getByLabel(field('Mot de passe')).fill(`faux-${i}`);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByTestId('login-error').waitFor();
      await page.getByRole('button', { name: 'Se connecter' }).and(page.locator(':not([data-loading])')).waitFor();
    }
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/verrouillé.*Réessayez après/);
    await context.close();
  });

  it('shows an operator only what the role allows', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'operateur@mutualis.demo');
    const links = await navLinks(page);
    expect(links).toEqual(['Accueil', 'Carte du territoire', 'Sites', 'Fibre : avancement', 'Recharge : bornes', 'Alarmes', 'Indicateurs de sûreté', 'Équipements de sûreté', 'Règles d’alarme', 'Preuves : gels', 'Preuves : enregistrements', 'Preuves : autorisations']);
    expect(links.join(' ')).not.toMatch(/Achat|Utilisateurs|audit/i);
    await page.goto('/administration/utilisateurs');
    await page.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
    await page.goto('/sites');
    await page.getByTestId('sites-table').waitFor();
    expect(await page.getByRole('link', { name: 'Nouveau site' }).count()).toBe(0);
    await context.close();
  });

  it("does not show a member agent another member's sites", async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'agent.versailles@mutualis.demo');
    expect(await page.getByTestId('acting-for').textContent()).toContain('Versailles');
    expect(await page.getByRole('combobox', { name: 'Filtrer sur un membre' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Sites', exact: true }).click();
    const table = page.getByTestId('sites-table');
    await table.getByRole('link', { name: 'Hôtel de ville de Versailles' }).waitFor();
    const names = await table.locator('tbody tr td:first-child').allTextContents();
    expect(names).not.toContain('Mairie de Clamart');
    expect(names.every((n) => !/Clamart|Rambouillet|Nanterre/.test(n))).toBe(true);
    await context.close();
  });

  it('lets SMO staff narrow the views to one member', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'acheteur@mutualis.demo');
    await page.getByRole('combobox', { name: 'Filtrer sur un membre' }).fill('Clamart');
    await page.getByRole('option', { name: /^Clamart \(Commune\)/ }).click();
    await page.getByText('Vue filtrée sur Clamart').waitFor();
    await page.getByRole('link', { name: 'Sites', exact: true }).click();
    const table = page.getByTestId('sites-table');
    await table.getByRole('link', { name: 'Mairie de Clamart' }).waitFor();
    // Clamart's 3 demo sites and the 10 schools the education demo adds, on one page.
    await expect.poll(() => table.locator('tbody tr').count()).toBe(13);
    await page.getByRole('button', { name: 'Retirer le filtre' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /résultat/ }).textContent()).toBe('27 résultats');
    await context.close();
  });

  it('sends the user back to sign-in when the session has expired, and signs out', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'auditeur@mutualis.demo');
    await page.getByText("Entrées du journal d'audit").waitFor();
    await server.platform.platform.database.db.deleteFrom('sessions').execute();
    await page.getByRole('link', { name: 'Sites', exact: true }).click();
    await page.getByText('Votre session a expiré. Reconnectez-vous pour continuer.').waitFor();
    await page.waitForURL(/\/connexion$/);

    // Signing in again returns to the page the user was going to.
    await page.getByLabel(field('Adresse électronique')).fill('auditeur@mutualis.demo');
    await page.getByLabel(field('Mot de passe')).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByText('Vous êtes déconnecté.').waitFor();
    await page.goto('/sites');
    await page.waitForURL(/\/connexion$/);
    expect((await context.cookies()).find((c) => c.name === 'mutualis_session')).toBeUndefined();
    await context.close();
  });

  it('has a skip link to the main content as first focusable element', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'admin@mutualis.demo');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused.text(page)).toBe('Aller au contenu');
    await page.keyboard.press('Enter');
    expect(await focused.id(page)).toBe('contenu');
    await context.close();
  });
});
