import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from '../support/test-platform.js';
import { genericPath, makeClip, placeRecording, tempDir } from '../evidence/support.js';
import { axeViolations, field, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './support/console.js';

let server: ConsoleServer;
let browser: Browser;
const dirs: string[] = [];
const number = `PV-2026-${randomUUID().slice(0, 8)}`;
// Three two-second recordings of the town hall's entrance camera, about three hours ago: five minutes past a
// quarter of an hour, away from the quarter-hour segments that the demo data records.
const QUARTER = 15 * 60_000;
const base = new Date(Math.floor((Date.now() - 3 * 3600_000) / QUARTER) * QUARTER + 5 * 60_000);

/** A datetime-local input's value (the browser's and this process's time zone are the machine's). */
const local = (at: Date) => new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

beforeAll(async () => {
  const recordings = tempDir('console-recordings');
  const clips = tempDir('console-clips');
  dirs.push(recordings, clips);
  for (let i = 0; i < 3; i++) {
    const clip = await makeClip(path.join(clips, `${i}.mp4`), 2, `console ${i}`);
    placeRecording(recordings, genericPath('DEMO-CAM-06', new Date(base.getTime() + i * 60_000)), clip);
  }
  const evidence = tempDir('console-evidence');
  dirs.push(evidence);
  server = await startConsoleServer({ RECORDINGS_DIR: recordings, EVIDENCE_DIR: evidence });
  const supervisor = await ApiClient.signIn(server.platform.app, 'superviseur@mutualis.demo');
  const scan = await supervisor.post('/api/evidence/segments/scan');
  expect(scan.statusCode, scan.body).toBe(200);
  expect(scan.json()).toMatchObject({ indexed: 3, rejected: [] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function checkPage(page: Page, name: string) {
  expect(await axeViolations(page), `accessibility of ${name}`).toEqual([]);
  await screenshot(page, name);
}

async function fillPeriod(page: Page, from: Date, to: Date) {
  await page.getByLabel(field('Début de la période')).fill(local(from));
  await page.getByLabel(field('Fin de la période')).fill(local(to));
}

describe('console: video evidence', () => {
  it('records a requisition, extracts, verifies and hands over its package, and shows it all in the register', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'admin.vgp@mutualis.demo');
    await page.getByRole('link', { name: 'Preuves : réquisitions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Réquisitions judiciaires' }).waitFor();
    await checkPage(page, '50-preuves-requisitions');

    await page.getByRole('link', { name: 'Nouvelle réquisition' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nouvelle réquisition' }).waitFor();
    await page.getByLabel(field('Numéro de la réquisition')).fill(number);
    await page.getByRole('combobox', { name: field('Site') }).click();
    await page.getByRole('option', { name: 'Hôtel de ville de Versailles' }).click();
    await page.getByRole('checkbox', { name: /^DEMO-CAM-06/ }).check();
    const deadline = new Date(Date.now() + 10 * 86_400_000);
    await page.getByLabel(field('Échéance de remise')).fill(local(deadline).slice(0, 10));
    await page.getByLabel(field('Autorité requérante')).fill('Parquet de Versailles');
    await page.getByLabel(field('Nom de l’officier')).fill('Capitaine Leroy');
    await page.getByLabel(field('Service de l’officier')).fill('Commissariat de Versailles');
    await page.getByLabel(field('Adresse électronique de l’officier (facultatif)')).fill('opj@mutualis.demo');
    await page.getByLabel(field('Fondement juridique')).fill('art. 60-1 du code de procédure pénale');

    // A week ago nothing was recorded: the API says what exists instead.
    await fillPeriod(page, new Date(Date.now() - 7 * 86_400_000), new Date(Date.now() - 7 * 86_400_000 + 3600_000));
    await page.getByRole('button', { name: 'Enregistrer et geler les images' }).click();
    const purged = page.getByTestId('recordings-purged');
    await purged.waitFor();
    expect(await purged.getAttribute('role')).toBe('alert');
    expect(await purged.textContent()).toMatch(/Aucun enregistrement de ces caméras sur cette période.*DEMO-CAM-06 : disponible du/);
    await checkPage(page, '50-preuves-nouvelle-requisition');

    await fillPeriod(page, new Date(base.getTime() - 2 * 60_000), new Date(base.getTime() + 4 * 60_000));
    await page.getByRole('button', { name: 'Enregistrer et geler les images' }).click();
    await page.getByRole('heading', { level: 1, name: `Réquisition n° ${number}` }).waitFor();
    expect(await page.getByTestId('held-count').textContent()).toBe('3 segments gelés.');
    expect(await page.getByTestId('coverage-table').locator('tbody tr').first().locator('td').nth(1).textContent()).toBe('3');
    await expect.poll(() => page.getByTestId('held-segments').locator('tbody tr').count()).toBe(3);
    await checkPage(page, '51-preuves-requisition');

    await page.getByRole('button', { name: 'Extraire un scellé' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extraire un scellé' });
    await dialog.getByLabel(field('Motif (inscrit au registre)')).fill('Réquisition du parquet : copie des images de l’entrée');
    await dialog.getByRole('button', { name: 'Lancer l’extraction' }).click();
    await page.getByTestId('requisition-notice').filter({ hasText: 'Extraction lancée' }).waitFor();
    const pkg = page.getByTestId('package').first();
    await page.locator('[data-testid="package"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: /^Télécharger le scellé REQ-/ }).waitFor();

    await pkg.getByRole('button', { name: /^Vérifier le scellé/ }).click();
    const verification = pkg.getByTestId('verification');
    await verification.waitFor();
    expect(await verification.getAttribute('data-ok')).toBe('true');
    expect(await verification.textContent()).toContain('Scellé intègre');
    expect(await verification.textContent()).toContain('signature Ed25519 du manifeste valide');

    await pkg.getByLabel(field('Remis à (nom, service)')).fill('Capitaine Leroy, commissariat de Versailles');
    await pkg.getByLabel(field('Support remis')).fill('clé USB scellée n° 4521');
    await pkg.getByLabel(field('Motif (inscrit au registre)')).fill('Remise en main propre contre récépissé');
    await pkg.getByRole('button', { name: 'Enregistrer la remise' }).click();
    await pkg.getByTestId('handed-over').waitFor();
    expect(await pkg.getByTestId('handed-over').textContent()).toMatch(/à Capitaine Leroy, commissariat de Versailles, sur clé USB scellée n° 4521/);
    await page.locator('.mantine-Badge-root', { hasText: 'Remise' }).first().waitFor();
    await checkPage(page, '52-preuves-scelle');

    await page.getByRole('link', { name: 'Retour aux réquisitions' }).click();
    const row = page.getByTestId('requisitions-table').locator('tbody tr', { hasText: number });
    await row.getByText('Remise', { exact: true }).waitFor();
    await checkPage(page, '54-preuves-requisitions-liste');

    await page.getByRole('link', { name: 'Preuves : registre' }).click();
    await page.getByRole('heading', { level: 1, name: 'Registre des accès aux images' }).waitFor();
    await page.getByLabel('Numéro de réquisition').fill(number);
    const register = page.getByTestId('register-table');
    await expect.poll(async () => (await register.locator('tbody tr td:nth-child(3)').allTextContents()).sort()).toEqual(['Extraction', 'Gel des images', 'Remise', 'Réquisition enregistrée']);
    await register.getByRole('cell', { name: 'Remise en main propre contre récépissé' }).waitFor();
    await register.getByRole('cell', { name: 'clé USB scellée n° 4521' }).waitFor();
    expect(await page.getByRole('link', { name: 'Exporter en CSV' }).getAttribute('href')).toBe(`/api/evidence/register.csv?requisition=${encodeURIComponent(number)}`);
    await checkPage(page, '53-preuves-registre');
    await context.close();
  }, 120_000);

  it('plays a recording once a reason is given, lists the holds, and keeps retention within the law', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'admin.vgp@mutualis.demo');
    await page.getByRole('link', { name: 'Preuves : enregistrements' }).click();
    await page.getByRole('heading', { level: 1, name: 'Enregistrements' }).waitFor();
    await page.getByLabel('Depuis').fill(local(new Date(base.getTime() - 2 * 60_000)));
    await page.getByLabel('Jusqu’à').fill(local(new Date(base.getTime() + 4 * 60_000)));
    const table = page.getByTestId('recordings-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    await table.getByRole('button', { name: /^Visionner DEMO-CAM-06/ }).first().click();
    const dialog = page.getByRole('dialog', { name: /^Visionner : DEMO-CAM-06/ });
    await dialog.getByLabel(field('Motif (inscrit au registre)')).fill('Vérification d’un signalement de dégradation');
    await dialog.getByRole('button', { name: 'Visionner' }).click();
    const clip = dialog.getByTestId('clip');
    await clip.waitFor();
    const src = await clip.getAttribute('src');
    expect(src).toMatch(/^\/api\/evidence\/segments\/[\w-]+\/clip\?ticket=/);
    const video = await page.request.get(src!);
    expect(video.status()).toBe(200);
    expect(video.headers()['content-type']).toBe('video/mp4');
    await checkPage(page, '55-preuves-visionnage');
    await dialog.getByRole('button', { name: 'Fermer' }).first().click();

    await page.getByRole('link', { name: 'Preuves : gels' }).click();
    await page.getByRole('heading', { level: 1, name: 'Images gelées' }).waitFor();
    await expect.poll(() => page.getByTestId('holds-table').getByRole('cell', { name: number }).count()).toBe(3);
    await checkPage(page, '56-preuves-gels');

    await page.getByRole('link', { name: 'Preuves : autorisations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Autorisations préfectorales' }).waitFor();
    // The demo may already hold the town hall's authorisation: edit it, else record one.
    const edit = page.getByRole('button', { name: 'Modifier : Hôtel de ville de Versailles' });
    await page.getByTestId('authorisations-table').or(page.getByText('Aucune autorisation enregistrée.')).waitFor();
    if (await edit.count()) await edit.click();
    else {
      await page.getByRole('button', { name: 'Ajouter une autorisation' }).click();
      await page.getByRole('combobox', { name: field('Site') }).click();
      await page.getByRole('option', { name: 'Hôtel de ville de Versailles' }).click();
    }
    await page.getByLabel(field('Référence de l’arrêté')).fill('AP-78-2025-0412');
    await page.getByLabel(field('Date de l’arrêté')).fill('2025-03-01');
    await page.getByLabel(field('Échéance de l’autorisation')).fill('2030-03-01');
    await page.getByLabel(field('Durée de conservation (jours)')).fill('31');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(/31 jours refusés : la loi limite la conservation des images à 30 jours/).first().waitFor();
    await page.getByLabel(field('Durée de conservation (jours)')).fill('15');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByTestId('authorisation-saved').waitFor();
    const authorisation = page.getByTestId('authorisations-table').locator('tbody tr', { hasText: 'Hôtel de ville de Versailles' });
    expect(await authorisation.textContent()).toContain('15 jours');
    await checkPage(page, '57-preuves-autorisations');
    await context.close();
  }, 90_000);

  it('shows a police officer only the requisitions naming them, which they may download but not handle', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'opj@mutualis.demo');
    const links = (await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link').allTextContents()).map((t) => t.trim());
    expect(links).toEqual(['Accueil', 'Carte du territoire', 'Sites', 'Fibre : avancement', 'Preuves : réquisitions']);
    await page.getByRole('link', { name: 'Preuves : réquisitions' }).click();
    expect(await page.getByRole('link', { name: 'Nouvelle réquisition' }).count()).toBe(0);
    await page.getByRole('link', { name: number }).click();
    await page.getByRole('heading', { level: 1, name: `Réquisition n° ${number}` }).waitFor();
    await page.getByRole('link', { name: /^Télécharger le scellé REQ-/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Extraire un scellé' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clore et lever le gel' }).count()).toBe(0);
    await page.goto('/preuves/registre');
    await page.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
    await context.close();
  }, 60_000);
});
