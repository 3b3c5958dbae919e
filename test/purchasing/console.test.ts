import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, field, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../e2e/support/console.js';

const navLinks = async (page: Page) => (await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link').allTextContents()).map((t) => t.trim());

describe('purchasing console pages', () => {
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

  let orderUrl = '';

  it('lets a member order from the catalogue and submit the order', async () => {
    const member = await newPage(browser, server.url);
    const { page } = member;
    await signIn(page, 'admin.clamart@mutualis.demo');
    expect((await navLinks(page)).filter((l) => l.startsWith('Achats'))).toEqual(['Achats : catalogue', 'Achats : commandes', 'Achats : budgets', 'Achats : économies', 'Achats : accords-cadres']);
    await page.getByRole('link', { name: 'Achats : catalogue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Catalogue de la centrale d’achat' }).waitFor();
    await page.getByLabel('Rechercher un article').fill('vidéoprojecteur');
    const table = page.getByTestId('catalogue-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Quantité de Vidéoprojecteur interactif ultra-courte focale').fill('3');
    await page.getByRole('button', { name: 'Ajouter Vidéoprojecteur interactif ultra-courte focale au panier' }).click();
    await page.getByText('Commande sur le lot Numérique éducatif').waitFor();
    expect(await axeViolations(page), 'accessibility of the catalogue').toEqual([]);
    await page.getByLabel('Objet de la commande').fill('VPI de l’école Jules Ferry');
    await page.getByLabel('Site de livraison').selectOption({ label: 'École élémentaire Jules Ferry' });
    await page.getByLabel('Enveloppe budgétaire').selectOption({ index: 1 });
    await screenshot(page, '40-achats-catalogue');
    await page.getByRole('button', { name: 'Créer la commande (brouillon)' }).click();

    await page.getByRole('heading', { level: 1, name: 'Commande « VPI de l’école Jules Ferry »' }).waitFor();
    await page.getByText('Brouillon', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Soumettre la commande' }).click();
    await page.getByText('Soumise', { exact: true }).waitFor();
    expect(await page.getByTestId('order-timeline').textContent()).toContain('Soumise par l’approbateur');
    expect(await axeViolations(page), 'accessibility of an order').toEqual([]);
    orderUrl = page.url();
    await member.context.close();
  }, 90_000);

  it('lets the SMO validate the submitted order from its queue and send it', async () => {
    const smo = await newPage(browser, server.url);
    const { page } = smo;
    await signIn(page, 'acheteur@mutualis.demo');
    await page.getByRole('link', { name: 'Achats : validation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Commandes à valider' }).waitFor();
    await page.getByRole('link', { name: 'VPI de l’école Jules Ferry' }).click();
    await page.waitForURL(orderUrl);
    // An agent of the SMO validates within budget; the override is the administrator's.
    expect(await page.getByLabel('Motif de la dérogation (administrateur du syndicat)').count()).toBe(0);
    await page.getByRole('button', { name: 'Valider la commande' }).click();
    await page.getByText('Validée', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Envoyer au titulaire' }).click();
    await page.getByRole('heading', { level: 1, name: /^Commande BC-\d{4}-\d{6}$/ }).waitFor();
    await page.getByRole('link', { name: 'Bon de commande imprimable' }).waitFor();
    await screenshot(page, '41-achats-commande');
    await smo.context.close();
  }, 90_000);

  it('shows the budgets, savings, agreements and orders pages, accessible', async () => {
    const smo = await newPage(browser, server.url);
    const { page } = smo;
    await signIn(page, 'admin@mutualis.demo');

    for (const [link, heading] of [
      ['Achats : budgets', 'Enveloppes budgétaires'],
      ['Achats : économies', 'Économies de la centrale d’achat'],
      ['Achats : accords-cadres', 'Accords-cadres'],
      ['Achats : commandes', 'Commandes'],
    ] as const) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.locator('table, section').first().waitFor();
      expect(await axeViolations(page), `accessibility of ${heading}`).toEqual([]);
      await screenshot(page, `42-achats-${link.split(' : ')[1]}`);
    }
    await smo.context.close();
  }, 90_000);

  it('lets the SMO withdraw an item, import a lot’s catalogue showing the rejected lines, and record an agreement', async () => {
    const smo = await newPage(browser, server.url);
    const { page } = smo;
    await signIn(page, 'acheteur@mutualis.demo');
    await page.getByRole('link', { name: 'Achats : catalogue' }).click();
    await page.getByLabel('Rechercher un article').fill('tablette 32');
    await page.getByLabel('Afficher les articles retirés').check();
    await page.getByRole('button', { name: 'Remettre Tablette 32 Go (ancienne gamme) au catalogue' }).click();
    await page.getByRole('button', { name: 'Retirer Tablette 32 Go (ancienne gamme) du catalogue' }).waitFor();
    expect(await axeViolations(page), 'accessibility of the catalogue administration').toEqual([]);

    await page.getByRole('link', { name: 'Achats : accords-cadres' }).click();
    await page.getByTestId('conventions-table').getByText('CONV-CA-2025-001').waitFor();
    await page.getByLabel('Lot à alimenter').selectOption({ label: 'AC-2025-SURV — Lot 1 — Caméras, enregistreurs et contrôle d’accès' });
    await page.locator('input[type=file]').setInputFiles({
      name: 'cameras.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('reference;libelle;categorie;unite;prix_unitaire_ht;taux_tva;prix_public_ht\nCAM-BULLET;Caméra tube 8 Mpx;camera;unité;540,00;20;690\nCAM-X;Caméra sans prix;camera;unité;;20;100\n'),
    });
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByText('1 article(s) créé(s), 0 mis à jour, 1 ligne(s) rejetée(s).').waitFor();
    expect(await page.getByTestId('import-rejects').locator('tbody tr td').allTextContents()).toEqual(['3', 'prix unitaire HT manquant']);
    expect(await axeViolations(page), 'accessibility of the agreements page').toEqual([]);
    await screenshot(page, '43-achats-import');

    // A new agreement: a wrong SIRET is refused with its reason, then the agreement is recorded and listed.
    await page.getByLabel('Référence (identifiant DECP, 16 caractères au plus)').fill('AC-2026-TEL2');
    await page.getByLabel('Code CPV').fill('32552100');
    await page.getByLabel(field('Objet')).fill('Téléphonie IP des mairies');
    await page.getByLabel('Date de notification').fill('2026-10-01');
    await page.getByLabel('SIRET du titulaire').fill('73282932000075');
    await page.getByLabel('Raison sociale du titulaire').fill('Téléphonie Publique SA');
    await page.getByRole('checkbox', { name: 'Télécommunications' }).check();
    await page.getByLabel('Maximum HT du lot Télécommunications (€)').fill('400000');
    await page.getByRole('button', { name: 'Enregistrer l’accord-cadre' }).click();
    await page.getByText('SIRET « 73282932000075 » invalide (14 chiffres, clé de Luhn)').waitFor();
    await page.getByLabel('SIRET du titulaire').fill('73282932000074');
    await page.getByRole('button', { name: 'Enregistrer l’accord-cadre' }).click();
    await page.getByText('Accord-cadre AC-2026-TEL2 enregistré.').waitFor();
    await page.getByRole('heading', { name: 'AC-2026-TEL2 — Téléphonie IP des mairies' }).waitFor();
    expect(await axeViolations(page), 'accessibility of the agreement form').toEqual([]);
    await smo.context.close();
  }, 90_000);
});
