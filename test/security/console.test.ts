import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { axeViolations, field, launchBrowser, newPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../e2e/support/console.js';
import { MOSQUITTO_URL, publisher, uniqueName } from './support.js';

describe('security console', () => {
  const tag = uniqueName('ui');
  let server: ConsoleServer;
  let browser: Browser;
  let pub: MqttClient;
  beforeAll(async () => {
    server = await startConsoleServer({ MQTT_URL: MOSQUITTO_URL, MQTT_CLIENT_ID: `${tag}_srv`, FRIGATE_TOPIC_PREFIX: `${tag}/frigate`, DEVICE_TOPIC_PREFIX: `${tag}/devices` });
    await server.platform.platform.security.start({ info: () => {}, warn: () => {}, error: () => {} });
    await server.platform.platform.security.ready();
    browser = await launchBrowser();
    pub = await publisher(MOSQUITTO_URL);
  });
  afterAll(async () => {
    await pub?.endAsync();
    await browser?.close();
    await server?.close();
  });

  it('shows an alarm arriving live to the operator, who takes, verifies, qualifies and closes it', async () => {
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'operateur@mutualis.demo');
    await page.getByRole('link', { name: 'Alarmes', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'File des alarmes' }).waitFor();
    await page.locator('[data-testid="bus-status"][data-connected="true"]').waitFor();
    await page.locator('[data-live-state="open"]').waitFor();
    expect(await axeViolations(page), 'accessibility of the queue').toEqual([]);

    // A door forced at the collège, published by the access-control system while the operator watches.
    await pub.publishAsync(`${tag}/devices/DEMO-DOOR-01/events`, JSON.stringify({ id: randomUUID(), type: 'door_forced_open', occurredAt: new Date().toISOString() }), { qos: 1 });
    const cue = page.getByTestId('new-alarm-cue');
    await cue.waitFor();
    expect(await cue.textContent()).toContain('Nouvelle alarme prioritaire : Porte forcée');
    const take = page.getByRole('button', { name: 'Prendre : Porte forcée — Collège — portail élèves' });
    await take.waitFor();
    await screenshot(page, '40-securite-file');
    await take.click();

    await page.getByRole('heading', { level: 1, name: /^Alarme : Porte forcée/ }).waitFor();
    expect(await page.getByTestId('taken-by').textContent()).toBe('operateur@mutualis.demo');
    // Keyboard shortcut: V starts the verification.
    await page.keyboard.press('v');
    await page.getByRole('heading', { level: 2, name: 'Levée de doute' }).waitFor();
    await page.getByRole('link', { name: 'Voir Collège — parvis d’entrée' }).waitFor();
    await page.getByText('zone exclue pendant les heures d’ouverture').first().waitFor();
    await page.getByRole('checkbox', { name: /Ouvrir les caméras du site/ }).check();
    expect(await axeViolations(page), 'accessibility of the verification').toEqual([]);
    await screenshot(page, '41-securite-levee-de-doute');

    await page.getByRole('radio', { name: 'Fausse alarme' }).check();
    await page.getByLabel(field('Cause de la fausse alarme')).fill('Élève sorti par le portail pendant l’interclasse');
    await page.getByRole('button', { name: 'Enregistrer la qualification' }).click();
    await page.getByTestId('alarm-done').filter({ hasText: 'Qualifiée' }).waitFor();
    await page.getByLabel(field('Rapport de clôture')).fill('Levée de doute par caméra : élève identifié, portail refermé par la vie scolaire.');
    await page.getByRole('button', { name: 'Clore l’alarme' }).click();
    await page.getByTestId('alarm-done').filter({ hasText: 'Close' }).waitFor();
    await page.getByRole('cell', { name: 'Clôture' }).waitFor();

    await page.getByRole('link', { name: 'Rapport d’incident (imprimable)' }).click();
    await page.getByRole('heading', { level: 1, name: /^Rapport d’incident/ }).waitFor();
    await page.getByText('Élève sorti par le portail', { exact: false }).first().waitFor();
    expect(await axeViolations(page), 'accessibility of the report').toEqual([]);
    await screenshot(page, '42-securite-rapport');
    await context.close();
  }, 90_000);

  it('gives supervisors every queue, the rejected messages, the devices, the rules and the indicators', async () => {
    await pub.publishAsync(`${tag}/frigate/events`, 'this is not JSON', { qos: 1 });
    const { context, page } = await newPage(browser, server.url);
    await signIn(page, 'superviseur@mutualis.demo');
    await page.getByRole('link', { name: 'Alarmes', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'File des alarmes' }).waitFor();
    await page.getByLabel('Opérateur').first().waitFor();

    await page.getByRole('link', { name: 'Messages rejetés' }).click();
    await page.getByRole('cell', { name: 'Contenu non JSON' }).first().waitFor();
    expect(await axeViolations(page), 'accessibility of the dead letters').toEqual([]);

    await page.getByRole('link', { name: 'Équipements de sûreté' }).click();
    await page.getByRole('cell', { name: 'demo_cam_10' }).waitFor();
    expect(await axeViolations(page), 'accessibility of the devices').toEqual([]);
    await screenshot(page, '43-securite-equipements');

    await page.getByRole('link', { name: 'Études de sûreté' }).click();
    await page.getByRole('link', { name: 'Collège Jean Racine' }).click();
    await page.getByRole('heading', { level: 2, name: 'Matrice des risques' }).waitFor();
    expect(await page.locator('td[data-score="9"]').textContent()).toContain('R1');
    await page.getByText('Coût des mesures retenues').waitFor();
    expect(await axeViolations(page), 'accessibility of the study').toEqual([]);
    await screenshot(page, '45-securite-etude');

    await page.getByRole('link', { name: 'Règles d’alarme' }).click();
    await page.getByRole('cell', { name: 'Refus d’accès répétés', exact: true }).waitFor();
    expect(await axeViolations(page), 'accessibility of the rules').toEqual([]);
    await page.getByRole('button', { name: 'Nouvelle règle' }).click();
    await page.getByLabel(field('Nom')).fill('Mouvement au gymnase');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Règle enregistrée.').waitFor();
    await page.getByRole('cell', { name: 'Mouvement au gymnase', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Indicateurs de sûreté' }).click();
    await page.getByText('Délai de prise en charge').waitFor();
    expect(await axeViolations(page), 'accessibility of the indicators').toEqual([]);
    await screenshot(page, '44-securite-indicateurs');
    await context.close();
  }, 90_000);
});
