import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { expectStatus, JULES_FERRY, PETIT_CLAMART } from './helpers.js';

const drivers = await testDrivers();

describe.each(drivers)('education repairs, ENT licences and programme on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  let director: ApiClient;
  let technician: ApiClient;
  let schools: Record<string, string>;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    director = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    technician = await ApiClient.signIn(t.app, 'technicien@mutualis.demo');
    schools = Object.fromEntries(expectStatus<{ id: string; uai: string }[]>(await admin.get('/api/education/schools'), 200).map((s) => [s.uai, s.id]));
  });
  afterAll(() => t?.close());

  it('runs a repair ticket: reported by the school, a loan meanwhile, the device back to its pupil', async () => {
    const pupil = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?pageSize=1`), 200).items[0];
    const broken = expectStatus<any>(await director.get(`/api/education/assets/by-serial/${pupil.tablet}`), 200);
    const ticket = expectStatus<any>(await director.post('/api/education/repairs', { assetId: broken.id, kind: 'broken', description: 'Écran fissuré' }), 201);
    expect(ticket).toMatchObject({ status: 'open', serial: pupil.tablet, holder: `Élève ${pupil.firstName} ${pupil.lastInitial}.` });
    expect(expectStatus<any>(await director.get(`/api/education/assets/${broken.id}`), 200).state).toBe('under_repair');
    expect((await director.post('/api/education/repairs', { assetId: broken.id, kind: 'broken', description: 'encore' })).statusCode).toBe(409);
    // School staff do not handle tickets; the technician does.
    expect((await director.post(`/api/education/repairs/${ticket.id}/start`)).statusCode).toBe(403);
    expect(expectStatus<any[]>(await technician.get('/api/education/repairs?status=open'), 200).map((r) => r.id)).toContain(ticket.id);
    expect(expectStatus<any>(await technician.post(`/api/education/repairs/${ticket.id}/start`), 200).status).toBe('in_progress');

    const spare = expectStatus<any>(await technician.get(`/api/education/assets?schoolId=${schools[JULES_FERRY]}&type=tablet&state=in_stock&pageSize=1`), 200).items[0];
    const lent = expectStatus<any>(await technician.post(`/api/education/repairs/${ticket.id}/loan`, { loanAssetId: spare.id }), 200);
    expect(lent.loanSerial).toBe(spare.serial);
    expect(expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?q=${pupil.schoolRef}`), 200).items[0].tablet).toBe(spare.serial);

    const closed = expectStatus<any>(await technician.post(`/api/education/repairs/${ticket.id}/close`, { outcome: 'repaired' }), 200);
    expect(closed).toMatchObject({ status: 'closed', outcome: 'repaired' });
    expect(expectStatus<any>(await director.get(`/api/education/assets/${broken.id}`), 200)).toMatchObject({ state: 'assigned', holder: `Élève ${pupil.firstName} ${pupil.lastInitial}.` });
    expect(expectStatus<any>(await director.get(`/api/education/assets/${spare.id}`), 200).state).toBe('in_stock');
    const events = expectStatus<any>(await director.get(`/api/education/assets/${broken.id}`), 200).history.map((h: any) => h.event);
    expect(events.slice(-2)).toEqual(['repair closed', 'assign']);

    // Another school's staff never see the ticket.
    const otherTicket = expectStatus<any>(await admin.post('/api/education/repairs', {
      assetId: expectStatus<any>(await admin.get(`/api/education/assets?schoolId=${schools[PETIT_CLAMART]}&type=tablet&state=in_stock&pageSize=1`), 200).items[0].id,
      kind: 'lost_or_stolen',
      description: 'Disparue après la sortie scolaire',
    }), 201);
    expect(expectStatus<any[]>(await director.get('/api/education/repairs'), 200).map((r) => r.id)).not.toContain(otherTicket.id);
    expect((await technician.post(`/api/education/repairs/${otherTicket.id}/close`, { outcome: 'not_found' })).statusCode).toBe(200);
  });

  it('computes ENT licence needs from the rolls and exports the provisioning file', async () => {
    const pools = expectStatus<any[]>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/licences`), 200);
    const pupils = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?pageSize=200`), 200).items;
    const byProfile = Object.fromEntries(pools.map((p) => [p.profile, p]));
    expect(byProfile.pupil.needed).toBe(pupils.length);
    expect(byProfile.parent.needed).toBe(pupils.reduce((n: number, p: any) => n + p.guardians, 0));
    expect(byProfile.teacher).toMatchObject({ needed: 6, purchased: 6, allocated: 0 });
    expect(byProfile.staff.needed).toBe(1);

    expect((await director.request('PUT', `/api/education/schools/${schools[JULES_FERRY]}/licences/parent`, { purchased: 10 })).statusCode).toBe(403);
    expectStatus(await admin.request('PUT', `/api/education/schools/${schools[JULES_FERRY]}/licences/parent`, { purchased: 10 }), 200);

    const res = await director.get(`/api/education/schools/${schools[JULES_FERRY]}/provisioning.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(res.body, { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['uai', 'profil', 'identifiant', 'prenom', 'nom', 'classe', 'niveau', 'courriel', 'rattachement', 'licence']);
    const parents = rows.filter((r) => r.profil === 'parent');
    expect(parents).toHaveLength(byProfile.parent.needed);
    expect(parents.filter((r) => r.licence === 'oui')).toHaveLength(10);
    expect(rows.filter((r) => r.profil === 'eleve').every((r) => r.uai === JULES_FERRY && r.nom?.length === 1 && r.licence === 'oui')).toBe(true);
    const after = Object.fromEntries(expectStatus<any[]>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/licences`), 200).map((p) => [p.profile, p]));
    expect(after.parent).toMatchObject({ purchased: 10, allocated: 10 });
    expect(after.pupil.allocated).toBe(pupils.length);

    const auditor = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect((await auditor.get(`/api/education/schools/${schools[JULES_FERRY]}/licences`)).statusCode).toBe(200);
    expect((await auditor.get(`/api/education/schools/${schools[JULES_FERRY]}/provisioning.csv`)).statusCode).toBe(403);
  });

  it('follows the 4.5 M€ programme against the asset register, with its indicators', async () => {
    const p = expectStatus<any>(await admin.get('/api/education/programmes/com-92023'), 200);
    expect(p.indicators.budgetTotal).toBe(4_500_000);
    expect(p.plan.map((y: any) => y.year)).toEqual([2025, 2026, 2027, 2028, 2029]);
    expect(p.plan[0].spent).toBeGreaterThan(0);
    expect(p.plan[1].spent).toBeGreaterThan(0);
    expect(p.plan[2].spent).toBe(0);
    expect(p.targets).toEqual({ devices: 4000, teachersEquipped: 180, projectors: 160, licences: 5500 });
    expect(p.actuals.teachersEquipped).toBe(p.actuals.teachers - 12);
    expect(p.actuals.projectors).toBe(60);
    expect(p.indicators.devicesPer100Pupils).toBeGreaterThan(100);
    expect(p.indicators.shareClassesEquipped).toBe(1);
    expect(p.indicators.spendAgainstPlan).toBeCloseTo(p.indicators.spentTotal / 4_500_000, 3);
    expect(p.indicators.averageFleetAgeYears).toBeGreaterThan(0);
    expect(p.waves).toHaveLength(12);

    const auditor = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect((await auditor.get('/api/education/programmes/com-92023')).statusCode).toBe(200);
    const body = { name: p.name, startYear: p.startYear, leaverRule: p.leaverRule, targets: p.targets, budgets: [], waves: [] };
    expect((await auditor.request('PUT', '/api/education/programmes/com-92023', body)).statusCode).toBe(403);
    expect((await director.request('PUT', '/api/education/programmes/com-92023', body)).statusCode).toBe(404);
    const vgp = await ApiClient.signIn(t.app, 'admin.vgp@mutualis.demo');
    expect((await vgp.get('/api/education/programmes/com-92023')).statusCode).toBe(404);
    expect((await director.get('/api/education/programmes/com-92023')).statusCode).toBe(404);
  });
});
