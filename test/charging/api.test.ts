import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const drivers = await testDrivers();

describe.each(drivers)('charging API on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
  });
  afterAll(() => t?.close());

  it('lists the seven demo stations with their AFIREV ids and two charge points each', async () => {
    const res = await admin.get('/api/charging/stations?pageSize=200&sort=code');
    expect(res.statusCode).toBe(200);
    const { items, total } = res.json();
    expect(total).toBe(7);
    expect(items.map((s: { ocppIdentity: string }) => s.ocppIdentity).sort()).toEqual(['01', '02', '03', '04', '05', '06', '07'].map((n) => `DEMO-CS-${n}`));
    const rambouillet = items.find((s: { communeInsee: string }) => s.communeInsee === '78517');
    expect(rambouillet).toMatchObject({ code: '7851701', idStationItinerance: 'FRS78P7851701', registration: 'accepted', memberId: 'com-78517', online: false });
    expect(rambouillet.chargePoints).toEqual([
      expect.objectContaining({ connectorId: 1, idPdcItinerance: 'FRS78E78517011', maxPowerKw: 22, sockets: ['T2', 'EF'], occupied: false }),
      expect.objectContaining({ connectorId: 2, idPdcItinerance: 'FRS78E78517012', maxPowerKw: 22, sockets: ['T2', 'EF'] }),
    ]);
    expect(JSON.stringify(items)).not.toContain('password');
    const communes = new Set(items.map((s: { communeInsee: string }) => s.communeInsee));
    expect(communes.size).toBe(7);
  });

  it('shows members the stations of their tree only', async () => {
    const versailles = await ApiClient.signIn(t.app, 'agent.versailles@mutualis.demo');
    expect((await versailles.get('/api/charging/stations')).json().total).toBe(0);
    const operator = await ApiClient.signIn(t.app, 'operateur@mutualis.demo');
    expect((await operator.get('/api/charging/stations')).json().total).toBe(7);
    expect((await operator.get('/api/charging/sessions')).statusCode).toBe(403);
    const school = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    expect((await school.get('/api/charging/stations')).statusCode).toBe(403);
  });

  it('registers a station on a site, and refuses bad input with a French message', async () => {
    const agent = await ApiClient.signIn(t.app, 'acheteur@mutualis.demo');
    const site = (await agent.get('/api/sites?q=Halles&kind=car_park')).json().items[0];
    const body = { name: 'Houdan – Place des Halles (2)', siteId: site.id, ocppIdentity: 'HOUDAN-02', password: 'a-long-station-secret', tariff: { perKwh: 0.4, perMinute: 0, fixedFee: 1 }, gridConnection: 'Indirect' };
    const created = await agent.post('/api/charging/stations', body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: '7831002', idStationItinerance: 'FRS78P7831002', communeInsee: '78310', memberId: 'com-78310', openingHours: '24/7', tariff: { perKwh: 0.4, fixedFee: 1 } });

    const again = await agent.post('/api/charging/stations', { ...body, name: 'Autre' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('HOUDAN-02');
    const short = await agent.post('/api/charging/stations', { ...body, ocppIdentity: 'HOUDAN-03', password: 'court' });
    expect(short.statusCode).toBe(422);
    const badHours = await agent.post('/api/charging/stations', { ...body, ocppIdentity: 'HOUDAN-03', openingHours: 'toujours' });
    expect(badHours.statusCode).toBe(422);
    const unknownSite = await agent.post('/api/charging/stations', { ...body, ocppIdentity: 'HOUDAN-03', siteId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownSite.statusCode).toBe(422);
    expect(unknownSite.json().error.details[0]).toMatchObject({ field: '/body/siteId' });

    const technician = await ApiClient.signIn(t.app, 'technicien@mutualis.demo');
    expect((await technician.post('/api/charging/stations', { ...body, ocppIdentity: 'HOUDAN-04' })).statusCode).toBe(403);

    const id = created.json().id;
    const patched = await agent.patch(`/api/charging/stations/${id}`, { openingHours: 'Mo-Fr 08:00-19:00', pmr: 'Réservé PMR' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ openingHours: 'Mo-Fr 08:00-19:00', pmr: 'Réservé PMR' });
    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', '=', id).orderBy('seq').execute();
    expect(audit).toEqual([
      { action: 'charging.station.create', actor_label: 'acheteur@mutualis.demo' },
      { action: 'charging.station.update', actor_label: 'acheteur@mutualis.demo' },
    ]);
    expect((await agent.delete(`/api/charging/stations/${id}`)).statusCode).toBe(403);
    expect((await admin.delete(`/api/charging/stations/${id}`)).statusCode).toBe(204);
  });

  it('manages badges and answers OCPP tag checks from them', async () => {
    const res = await admin.get('/api/charging/badges?pageSize=200');
    expect(res.json().total).toBe(12);
    const created = await admin.post('/api/charging/badges', { idTag: 'TEST-TAG-1', label: 'Badge de test', status: 'Accepted', ownerMemberId: 'com-78517', parentIdTag: 'DEMO-TAG-001', expiresAt: '2099-01-01T00:00:00Z' });
    expect(created.statusCode).toBe(201);
    expect((await admin.post('/api/charging/badges', { idTag: 'TEST-TAG-1', label: 'x', status: 'Accepted', ownerMemberId: 'com-78517' })).statusCode).toBe(409);
    const service = t.platform.charging.service;
    expect(await service.idTagInfo('TEST-TAG-1')).toEqual({ status: 'Accepted', expiryDate: '2099-01-01T00:00:00.000Z', parentIdTag: 'DEMO-TAG-001' });
    expect((await service.idTagInfo('DEMO-TAG-BLOCKED')).status).toBe('Blocked');
    expect((await service.idTagInfo('DEMO-TAG-EXPIRED')).status).toBe('Expired');
    expect((await service.idTagInfo('NOBODY')).status).toBe('Invalid');
    const blocked = await admin.patch('/api/charging/badges/TEST-TAG-1', { status: 'Blocked' });
    expect(blocked.json().status).toBe('Blocked');
    const memberAdmin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    expect((await memberAdmin.post('/api/charging/badges', { idTag: 'X1', label: 'x', status: 'Accepted', ownerMemberId: 'com-92023' })).statusCode).toBe(403);
  });

  it('lists, filters and exports past sessions', async () => {
    const all = (await admin.get('/api/charging/sessions?pageSize=200')).json();
    expect(all.total).toBeGreaterThan(50);
    const first = all.items[0];
    expect(first.startedAt >= all.items[1].startedAt).toBe(true);
    expect(first).toMatchObject({ active: false, authStatus: 'Accepted' });
    expect(first.energyKwh).toBeGreaterThan(0);
    expect(first.cost).toBeGreaterThan(0);

    const houdan = (await admin.get('/api/charging/sessions?communeInsee=78310&pageSize=200')).json();
    expect(houdan.total).toBeGreaterThan(0);
    expect(houdan.items.every((s: { communeInsee: string }) => s.communeInsee === '78310')).toBe(true);
    const tag = (await admin.get('/api/charging/sessions?idTag=DEMO-TAG-003')).json();
    expect(tag.items.every((s: { idTag: string }) => s.idTag === 'DEMO-TAG-003')).toBe(true);

    const csv = await admin.get('/api/charging/sessions.csv?communeInsee=78310');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('transaction;borne;commune;insee;connecteur;badge;debut;fin;duree_min;energie_kwh;cout_eur;motif_arret;autorisation');
    expect(lines.length).toBe(houdan.total + 1);
    expect(lines[1]).toContain(';Houdan;78310;');
  });

  it('computes the indicators from the status history and sessions', async () => {
    // The demo's history covers the last 40 days, so at least two calendar months: ask for all of it (the
    // default 30 days may hold one month only, depending on the day).
    const from = new Date(Date.now() - 45 * 86_400_000).toISOString().slice(0, 10);
    const res = await admin.get(`/api/charging/indicators?from=${from}`);
    expect(res.statusCode).toBe(200);
    const { availability, faults, monthly } = res.json();
    expect(availability).toHaveLength(14);
    for (const a of availability) expect(a.usable + a.faulted + a.unavailable + a.offline + a.unknown).toBeCloseTo(1, 2);
    const second = availability.find((a: { connectorId: number; faulted: number }) => a.connectorId === 2);
    expect(second.faulted).toBeGreaterThan(0);
    expect(faults.every((f: { faults: number }) => f.faults === 1)).toBe(true);
    expect(monthly.length).toBeGreaterThan(7);
    expect(monthly.reduce((n: number, m: { sessions: number }) => n + m.sessions, 0)).toBeGreaterThan(0);
  });
});
