import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { testDrivers } from '../support/databases.js';
import { readStandardJson } from '../support/standards.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { makeAgreement, SUPPLIER } from './fixtures.js';
import { seedDemo } from '../../src/demo/seed.js';

const drivers = await testDrivers();

const AGREEMENT = {
  reference: 'AC-T-0001',
  object: 'Accord-cadre de tablettes',
  cpvCode: '30213200',
  procedure: "Appel d'offres ouvert",
  notificationDate: '2025-06-01',
  durationMonths: 24,
  priceForm: 'Unitaire',
  priceType: 'Définitif ferme',
  execution: 'follow_on_contracts',
  tierBasis: 'per_order',
  suppliers: [SUPPLIER],
  lots: [{ code: 'e-education', label: 'Lot 1', supplierSiret: SUPPLIER.siret, minAmount: 1000, maxAmount: 250000.5 }],
};

describe.each(drivers)('purchasing agreements, conventions and catalogue on %s', (driver) => {
  let t: TestPlatform;
  let smo: ApiClient;
  let clamart: ApiClient;

  beforeAll(async () => {
    t = await startTestPlatform(driver);
    [smo, clamart] = await Promise.all([ApiClient.signIn(t.app, 'acheteur@mutualis.demo'), ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo')]);
  });
  afterAll(() => t?.close());

  it('records an agreement with its lots, suppliers and amendments; checks SIRETs and amounts', async () => {
    expect((await clamart.post('/api/purchasing/agreements', AGREEMENT)).statusCode).toBe(403);
    const badSiret = await smo.post('/api/purchasing/agreements', { ...AGREEMENT, suppliers: [{ siret: '73282932000075', name: 'X' }] });
    expect(badSiret.statusCode).toBe(422);
    expect(badSiret.json().error.details).toContainEqual({ field: '/body/suppliers/0/siret', message: expect.stringContaining('Luhn') });
    const badLot = await smo.post('/api/purchasing/agreements', { ...AGREEMENT, lots: [{ ...AGREEMENT.lots[0], code: 'cantine' }] });
    expect(badLot.statusCode).toBe(422);
    const inverted = await smo.post('/api/purchasing/agreements', { ...AGREEMENT, lots: [{ ...AGREEMENT.lots[0], minAmount: 5000, maxAmount: 10 }] });
    expect(inverted.json().error.details).toContainEqual({ field: '/body/lots/0/maxAmount', message: expect.stringContaining('supérieur') });

    const res = await smo.post('/api/purchasing/agreements', AGREEMENT);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ reference: 'AC-T-0001', endDate: '2027-06-01', lots: [{ code: 'e-education', maxAmount: 250000.5, supplierName: SUPPLIER.name }] });
    expect((await smo.post('/api/purchasing/agreements', AGREEMENT)).statusCode).toBe(409);

    const amended = await smo.post(`/api/purchasing/agreements/${res.json().id}/amendments`, { date: '2026-02-01', amount: 25000, object: 'Extension aux collèges' });
    expect(amended.statusCode).toBe(201);
    expect(amended.json().amendments).toEqual([{ seq: 1, date: '2026-02-01', amount: 25000, object: 'Extension aux collèges' }]);
    expect((await smo.post(`/api/purchasing/agreements/${res.json().id}/amendments`, { date: '2024-01-01', amount: 1, object: 'Avant' })).statusCode).toBe(422);

    const list = (await clamart.get('/api/purchasing/agreements?lotCode=charging-stations&active=true')).json();
    expect(list.items.map((a: { reference: string }) => a.reference)).toEqual(['AC-2026-IRVE']);
  });

  it('enrols members by convention, visible to themselves and the SMO', async () => {
    const body = { reference: 'CONV-T-1', memberId: 'com-92050', signedOn: '2026-01-10', lots: ['telecoms'], contactName: 'Service achats', contactEmail: 'achats@example.fr' };
    expect((await clamart.post('/api/purchasing/conventions', body)).statusCode).toBe(403);
    expect((await smo.post('/api/purchasing/conventions', { ...body, lots: [] })).statusCode).toBe(422);
    const created = await smo.post('/api/purchasing/conventions', body);
    expect(created.statusCode, created.body).toBe(201);
    expect((await smo.post('/api/purchasing/conventions', body)).statusCode).toBe(409);
    const patched = await smo.patch(`/api/purchasing/conventions/${created.json().id}`, { lots: ['telecoms', 'video-protection'] });
    expect(patched.json().lots).toEqual(['telecoms', 'video-protection']);
    const mine = (await clamart.get('/api/purchasing/conventions')).json();
    expect(mine.map((c: { memberId: string }) => c.memberId)).toEqual(['com-92023']);
  });

  it('searches and filters the catalogue, hiding withdrawn items from members', async () => {
    const tablets = (await clamart.get('/api/purchasing/items?q=tablette&lotCode=e-education')).json();
    // The trolley's label mentions its 32 tablets.
    expect(tablets.items.map((i: { reference: string }) => i.reference)).toEqual(['CHAR-32', 'TAB-10-64']);
    expect(tablets.items[1]).toMatchObject({ unitPriceExclVat: 329, vatRate: 20, listPrice: 419, tiers: [{ minQuantity: 50, unitPriceExclVat: 309 }, { minQuantity: 200, unitPriceExclVat: 289 }, { minQuantity: 500, unitPriceExclVat: 269 }] });
    const all = (await smo.get('/api/purchasing/items?q=tablette&includeWithdrawn=true')).json();
    expect(all.items.map((i: { reference: string; withdrawn: boolean }) => `${i.reference}:${i.withdrawn}`).sort()).toEqual(['CHAR-32:false', 'TAB-10-64:false', 'TAB-OLD-32:true']);
    const cameras = (await clamart.get('/api/purchasing/items?category=camera&maxPrice=1000&sort=-unitPriceExclVat')).json();
    expect(cameras.items.map((i: { reference: string }) => i.reference)).toEqual(['CAM-DOME-4K']);
    const accents = (await clamart.get(`/api/purchasing/items?q=${encodeURIComponent('vidéoprojecteur')}`)).json();
    expect(accents.total).toBe(1);
  });

  it('refuses items whose category is not an asset type in the e-education lot, or whose tiers do not lower the price', async () => {
    const { lotId } = await makeAgreement(smo, { items: [] });
    const put = (body: Record<string, unknown>) => smo.request('PUT', `/api/purchasing/lots/${lotId}/items`, { reference: 'X1', label: 'X', category: 'tablet', unit: 'u', unitPriceExclVat: 10, vatRate: 20, listPrice: 12, ...body });
    expect((await put({ category: 'camera' })).json().error.details[0]).toMatchObject({ field: '/body/category' });
    expect((await put({ tiers: [{ minQuantity: 5, unitPriceExclVat: 11 }] })).json().error.details[0]).toMatchObject({ field: '/body/tiers' });
    expect((await put({ unitPriceExclVat: 10.001 })).statusCode).toBe(422);
    expect((await put({})).statusCode).toBe(201);
    expect((await put({ label: 'Renamed' })).statusCode).toBe(200);
  });

  it('imports a catalogue CSV, reporting each rejected line with its number and reason, and writing the rest together', async () => {
    const { lotId } = await makeAgreement(smo, { items: [] });
    const csv = [
      'reference;libelle;categorie;unite;prix_unitaire_ht;taux_tva;prix_public_ht;retire;paliers',
      'TAB-A;Tablette A;tablet;unité;329,00;20;419;non;50:309,00|200:289',
      'TAB-B;Tablette B;tablette;unité;300;20;350;;',
      'PC-A;Portable A;pc;unité;abc;20;800;;',
      'PC-B;Portable B;pc;unité;700;20;800;peut-être;',
      'MIC-A;Micro A;microphone;unité;149;20;199;;10:160',
      'TAB-A;Tablette A bis;tablet;unité;329;20;419;;',
      'WIFI-A;Borne Wi-Fi;wifi_access_point;unité;245,50;5,5;320;oui;',
      'trop;peu;de',
    ].join('\n');
    const post = (body: string) => t.app.inject({ method: 'POST', url: `/api/purchasing/lots/${lotId}/items/import`, headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` }, payload: body });
    const user = await t.platform.accounts.findByEmail('acheteur@mutualis.demo');
    const { token } = await t.platform.accounts.createToken({ id: null, label: 'test' }, user!, 'import', null);

    const res = await post(csv);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ lines: 8, created: 2, updated: 0 });
    expect(report.rejects.map((r: { line: number }) => r.line)).toEqual([3, 4, 5, 6, 7, 9]);
    expect(report.rejects[0].reason).toContain('catégorie « tablette » inconnue');
    expect(report.rejects[1].reason).toContain('« abc » n’est pas un nombre');
    expect(report.rejects[2].reason).toContain('attendu oui ou non');
    expect(report.rejects[3].reason).toContain('chaque palier doit baisser le prix');
    expect(report.rejects[4].reason).toContain('déjà présente ligne 2');
    expect(report.rejects[5].reason).toContain('3 colonnes');

    const items = (await smo.get(`/api/purchasing/items?lotId=${lotId}&includeWithdrawn=true&sort=reference`)).json().items;
    expect(items.map((i: { reference: string; withdrawn: boolean; vatRate: number }) => [i.reference, i.withdrawn, i.vatRate])).toEqual([
      ['TAB-A', false, 20],
      ['WIFI-A', true, 5.5],
    ]);
    expect(items[0].tiers).toEqual([{ minQuantity: 50, unitPriceExclVat: 309 }, { minQuantity: 200, unitPriceExclVat: 289 }]);

    // A wrong header refuses the whole file and writes nothing.
    const refused = await post('ref;label\nTAB-C;x');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain('en-tête attendu');
    // Importing again updates by reference.
    const again = (await post(csv)).json();
    expect(again).toMatchObject({ created: 0, updated: 2 });
  });

  it('loads demo orders in every state, once', async () => {
    const { db } = t.platform.database;
    const statuses = async () => (await db.selectFrom('purchasing_orders').select('status').distinct().execute()).map((r) => r.status).sort();
    expect(await statuses()).toEqual(['cancelled', 'closed', 'delivered', 'draft', 'invoiced', 'partially_delivered', 'sent', 'submitted', 'validated']);
    const count = async (table: 'purchasing_orders' | 'purchasing_items' | 'purchasing_budgets' | 'purchasing_conventions') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await Promise.all([count('purchasing_orders'), count('purchasing_items'), count('purchasing_budgets'), count('purchasing_conventions')]);
    expect((await seedDemo(t.platform)).purchasingAgreements).toBe(0);
    expect(await Promise.all([count('purchasing_orders'), count('purchasing_items'), count('purchasing_budgets'), count('purchasing_conventions')])).toEqual(before);
  });

  it('publishes every awarded agreement as DECP 2.0.3, valid against the official schema, without an account', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/opendata/decp.json' });
    expect(res.statusCode).toBe(200);
    const decp = res.json();
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(readStandardJson<object>('decp/schema_decp_v2.0.3.json'));
    const valid = validate(decp);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const byId = new Map(decp.marches.marche.map((m: { id: string }) => [m.id, m]));
    expect(byId.get('AC-2025-EDU')).toMatchObject({
      acheteur: { id: t.platform.config.smoSiret },
      techniques: { technique: ['Accord-cadre'] },
      modalitesExecution: { modaliteExecution: ['Bons de commande'] },
      montant: 3400000,
      titulaires: [{ titulaire: { typeIdentifiant: 'SIRET', id: '38077123400016' } }, { titulaire: { typeIdentifiant: 'SIRET', id: '44499832100012' } }],
    });
    expect(byId.get('AC-T-0001')).toMatchObject({
      montant: 250000.5,
      modalitesExecution: { modaliteExecution: ['Marchés subséquents'] },
      modifications: [{ modification: { id: 1, dateNotificationModification: '2026-02-01', montant: 275000.5 } }],
    });
  });
});
