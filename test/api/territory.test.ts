import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const drivers = await testDrivers();

describe.each(drivers)('territory API on %s', (driver) => {
  let t: TestPlatform;
  let token: string;
  let admin: ApiClient;
  let clamart: ApiClient;

  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
    clamart = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    token = (await clamart.post('/api/tokens', { name: 'tests' })).json().token;
  });
  afterAll(() => t?.close());

  const counts = async () => {
    const db = t.platform.database.db;
    const sites = await db.selectFrom('sites').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const audit = await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { sites: Number(sites.n), audit: Number(audit.n) };
  };

  const validSchool = {
    kind: 'school',
    name: 'École du Parc',
    uai: '0920800V',
    address: '10 rue du Parc, 92140 Clamart',
    longitude: 2.262,
    latitude: 48.797,
  };

  it('lists and searches communes with the list conventions', async () => {
    const all = await admin.get('/api/communes?pageSize=50&sort=-population');
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body.total).toBe(295);
    expect(body.items).toHaveLength(50);
    expect(body.items[0].name).toBe('Boulogne-Billancourt');
    // Accent-insensitive search, INSEE code and postal code.
    expect((await admin.get('/api/communes?q=saint-remy-les')).json().items.map((c: { insee: string }) => c.insee)).toContain('78575');
    expect((await admin.get('/api/communes?q=78646')).json().items[0].name).toBe('Versailles');
    expect((await admin.get('/api/communes?q=92140')).json().items[0].name).toBe('Clamart');
    const page2 = (await admin.get('/api/communes?departement=92&pageSize=20&page=2&sort=insee')).json();
    expect(page2).toMatchObject({ total: 36, page: 2, pageSize: 20 });
    expect(page2.items).toHaveLength(16);
  });

  it('gives a commune with its EPCI, EPT, shape and sites', async () => {
    const res = await clamart.get('/api/communes/92023');
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c).toMatchObject({ name: 'Clamart', departement: '92', epci: { siren: '200054781' }, ept: { siren: '200057966' }, adhesionStatus: 'adherent', sitesCount: 13 }); // 3 demo sites and the education demo's 10 schools
    expect(['Polygon', 'MultiPolygon']).toContain(c.geometry.type);
    expect((await admin.get('/api/communes/75056')).statusCode).toBe(422);
    expect((await admin.get('/api/communes/78999')).statusCode).toBe(404);
  });

  it('serves every commune shape as GeoJSON', async () => {
    const res = await admin.get('/api/communes.geojson');
    const fc = res.json();
    expect(fc.features).toHaveLength(295);
    expect(new Set(fc.features.map((f: { properties: { adhesionStatus: string } }) => f.properties.adhesionStatus))).toEqual(new Set(['adherent', 'non_adherent']));
  });

  it('gives the dashboard figures in one call, scoped to what the user may see', async () => {
    const all = (await admin.get('/api/territory/figures')).json();
    expect(all).toMatchObject({ communes: 295, adherentCommunes: 130, sitesByKind: { school: 14, public_building: 5, car_park: 7, other: 1 } }); // with the education demo's 10 schools of Clamart, the charging demo's 3 car parks and the security demo's gymnasium
    expect(all.adherentMembers).toBeGreaterThan(130);
    expect((await clamart.get('/api/territory/figures')).json().sitesByKind).toEqual({ school: 12, public_building: 1, car_park: 0, other: 0 });
    expect((await admin.get('/api/territory/figures?memberId=com-78517')).json().sitesByKind).toEqual({ school: 1, public_building: 0, car_park: 1, other: 0 });
  });

  it('lists members and their tree', async () => {
    const epcis = (await admin.get('/api/members?kind=epci&pageSize=200')).json();
    expect(epcis.items.map((m: { name: string }) => m.name)).toContain('CA Versailles Grand Parc (CAVGP)');
    const vgp = (await admin.get('/api/members/epci-247800584')).json();
    // 18 communes, one of which (Bièvres, 91064) lies outside the territory.
    expect(vgp.childCount).toBe(17);
    const children = (await admin.get('/api/members?parentId=epci-247800584&pageSize=5')).json();
    expect(children.total).toBe(17);
  });

  it('creates a site, deriving its commune from the point, and audits it', async () => {
    const before = await counts();
    const res = await clamart.post('/api/sites', validSchool);
    expect(res.statusCode).toBe(201);
    const site = res.json();
    expect(site).toMatchObject({ communeInsee: '92023', communeName: 'Clamart', memberId: 'com-92023', uai: '0920800V' });
    expect(await counts()).toEqual({ sites: before.sites + 1, audit: before.audit + 1 });
    const audit = (await admin.get(`/api/audit?entityType=site&entityId=${site.id}`)).json();
    expect(audit.items[0]).toMatchObject({ action: 'site.create', actorLabel: 'admin.clamart@mutualis.demo', memberId: 'com-92023' });

    const patched = await clamart.patch(`/api/sites/${site.id}`, { name: 'École du Grand Parc' });
    expect(patched.statusCode).toBe(200);
    const updates = (await admin.get(`/api/audit?action=site.update&entityId=${site.id}`)).json();
    expect(updates.items[0].summary).toEqual({ before: { name: 'École du Parc' }, after: { name: 'École du Grand Parc' } });

    // An empty UAI means none (never stored as ""): a school keeps needing one, another kind gives it up.
    const emptied = await clamart.patch(`/api/sites/${site.id}`, { uai: '' });
    expect(emptied.statusCode).toBe(422);
    expect(emptied.json().error.details).toEqual([{ field: '/body/uai', message: 'code UAI obligatoire pour une école' }]);
    const converted = await clamart.patch(`/api/sites/${site.id}`, { kind: 'public_building', uai: null });
    expect(converted.statusCode).toBe(200);
    expect(converted.json()).toMatchObject({ kind: 'public_building', uai: null });

    expect((await clamart.delete(`/api/sites/${site.id}`)).statusCode).toBe(204);
    expect((await clamart.get(`/api/sites/${site.id}`)).statusCode).toBe(404);
  });

  it.each([
    ['malformed JSON', '{"kind": "school",', 400, 'invalid_json', ''],
    ['an unknown field', { ...validSchool, colour: 'blue' }, 422, 'validation_failed', '/body/colour'],
    ['a missing field', { ...validSchool, address: undefined }, 422, 'validation_failed', '/body/address'],
    ['a wrong type', { ...validSchool, latitude: 'north' }, 422, 'validation_failed', '/body/latitude'],
    ['a blank name', { ...validSchool, name: '   ' }, 422, 'validation_failed', '/body/name'],
    ['an unknown kind', { ...validSchool, kind: 'castle' }, 422, 'validation_failed', '/body/kind'],
    ['a point outside 78/92', { ...validSchool, longitude: 2.3522, latitude: 48.8566 }, 422, 'validation_failed', '/body/longitude'],
    ['a UAI with a wrong check letter', { ...validSchool, uai: '0920800A' }, 422, 'validation_failed', '/body/uai'],
    ['a UAI of another département', { ...validSchool, uai: '0750001U' }, 422, 'validation_failed', '/body/uai'],
    ['a school without UAI', { ...validSchool, uai: undefined }, 422, 'validation_failed', '/body/uai'],
    ['an unknown INSEE code', { ...validSchool, communeInsee: '78999' }, 422, 'validation_failed', '/body/communeInsee'],
    ['a commune that does not contain the point', { ...validSchool, communeInsee: '92040' }, 422, 'validation_failed', '/body/communeInsee'],
    ['a duplicate name in the member', { ...validSchool, name: 'école élémentaire jules ferry', uai: '0920801W' }, 409, 'conflict', '/body/name'],
    ['a duplicate UAI', { ...validSchool, uai: '0921234S' }, 409, 'conflict', '/body/uai'],
  ])('refuses %s with a clear error and writes nothing', async (_label, body, status, code, field) => {
    const before = await counts();
    const res =
      typeof body === 'string'
        ? await t.app.inject({ method: 'POST', url: '/api/sites', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: body })
        : await clamart.post('/api/sites', body);
    expect(res.statusCode).toBe(status);
    const error = res.json().error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    if (field) expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await clamart.post('/api/sites', { ...validSchool, notes: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('answers unknown routes and 404s in the one error shape', async () => {
    const res = await admin.get('/api/nowhere');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});
