import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../e2e/support/console.js';

describe('education console pages', () => {
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

  it('lets a school director check a class in and assign it a class set of tablets', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'ecole.clamart@mutualis.demo');
    await page.getByRole('link', { name: 'Éducation : écoles' }).click();
    const schools = page.getByTestId('schools-table');
    await schools.getByRole('link', { name: 'École élémentaire Jules Ferry' }).click();
    await page.getByRole('heading', { level: 1, name: 'École élémentaire Jules Ferry' }).waitFor();
    expect(await schools.count()).toBe(0);
    const classes = page.getByTestId('classes-table');
    await classes.getByRole('cell', { name: 'CP A', exact: true }).waitFor();
    const pupils = Number(await classes.getByRole('row', { name: /CP A/ }).locator('td').nth(2).textContent());
    expect(pupils).toBeGreaterThan(10);
    expect(await axeViolations(page), 'accessibility of the school page').toEqual([]);
    await screenshot(page, '40-education-ecole');

    await page.getByRole('button', { name: 'Restituer les tablettes de la classe CP A' }).click();
    await expect.poll(() => page.getByTestId('education-notice').textContent()).toBe(`${pupils} tablettes restituées par la classe CP A.`);
    await page.getByRole('button', { name: /^Attribuer les tablettes à la classe CP A/ }).click();
    await expect.poll(() => page.getByTestId('education-notice').textContent()).toBe(`${pupils} tablettes attribuées en CP A.`);
    // Every pupil of the class now shows a tablet; a second class set has nobody left to equip.
    const db = server.platform.platform.database.db;
    const withTablet = await db
      .selectFrom('edu_pupils as p')
      .innerJoin('edu_classes as c', 'c.id', 'p.class_id')
      .innerJoin('edu_assignments as g', (j) => j.onRef('g.pupil_id', '=', 'p.id').on('g.returned_at', 'is', null))
      .select('p.id')
      .where('c.name', '=', 'CP A')
      .where('c.school_id', '=', (await db.selectFrom('edu_schools').select('id').where('uai', '=', '0921234S').executeTakeFirstOrThrow()).id)
      .execute();
    expect(withTablet).toHaveLength(pupils);
    await page.getByRole('button', { name: /^Attribuer les tablettes à la classe CP A/ }).click();
    await expect.poll(() => page.getByTestId('education-notice').textContent()).toBe('Tous les élèves de CP A ont déjà une tablette.');
    await screenshot(page, '41-education-lot-de-classe');
    await context.close();
  }, 90_000);

  it('shows the programme manager the plan against actuals, and the technician the repairs queue', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'admin.clamart@mutualis.demo');
    await page.getByRole('link', { name: 'Éducation : programme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Programme e-éducation' }).waitFor();
    await page.getByText('Cartable numérique de Clamart 2025-2029').waitFor();
    expect(await page.getByTestId('programme-plan').locator('tbody tr').count()).toBe(5);
    expect(await axeViolations(page), 'accessibility of the programme page').toEqual([]);
    await screenshot(page, '42-education-programme');
    await context.close();

    const tech = await newPage(browser, server.url);
    await signIn(tech.page, 'technicien@mutualis.demo');
    await tech.page.getByRole('link', { name: 'Éducation : réparations' }).click();
    await tech.page.getByRole('heading', { level: 1, name: 'Réparations' }).waitFor();
    await tech.page.getByText('Aucun ticket.').waitFor();
    expect(await axeViolations(tech.page), 'accessibility of the repairs page').toEqual([]);
    await tech.page.getByRole('link', { name: 'Éducation : parc' }).click();
    await tech.page.getByTestId('fleet-table').waitFor();
    expect(await axeViolations(tech.page), 'accessibility of the fleet page').toEqual([]);
    await screenshot(tech.page, '43-education-parc');
    await tech.context.close();
  }, 90_000);
});
