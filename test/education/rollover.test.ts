import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { nextClassName } from '../../src/modules/education/rollover.service.js';
import { expectStatus, JULES_FERRY, PETIT_CLAMART } from './helpers.js';

const drivers = await testDrivers();

describe('class names at the rollover', () => {
  it.each([
    ['CP A', 'CE1 A'],
    ['CE2-CM1', 'CM1-CM2'],
    ['Classe de CM1 bilingue', 'Classe de CM2 bilingue'],
    ['6e B', '5e B'],
    ['CPA', 'CPA'],
  ])('%s becomes %s', (before, after) => expect(nextClassName(before)).toBe(after));
});

describe.each(drivers)('school-year rollover on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  let director: ApiClient;
  let schools: Record<string, string>;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    director = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    schools = Object.fromEntries(expectStatus<{ id: string; uai: string }[]>(await admin.get('/api/education/schools'), 200).map((s) => [s.uai, s.id]));
  });
  afterAll(() => t?.close());

  const db = () => t.platform.database.db;
  const pupilsOf = async (client: ApiClient, uai: string, query = '') => expectStatus<any>(await client.get(`/api/education/schools/${schools[uai]}/pupils?pageSize=200${query}`), 200).items as any[];

  it('refuses a rollover to a school year that does not exist, changing nothing', async () => {
    const res = await director.post('/api/education/rollover', { toYear: '2028-2029', schoolId: schools[JULES_FERRY] });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/2028-2029 n’existe pas encore/);
    expect(await db().selectFrom('edu_rollovers').select('id').execute()).toEqual([]);
    expect(await db().selectFrom('edu_classes').select('id').where('school_year', '=', '2027-2028').execute()).toEqual([]);
  });

  it('moves classes and pupils up, pupils keep their tablet, CM2 tablets are to collect (return rule)', async () => {
    const before = await pupilsOf(director, JULES_FERRY);
    const cp = before.find((p) => p.level === 'CP');
    const cm2 = before.filter((p) => p.level === 'CM2');
    expect(cm2.length).toBeGreaterThan(10);
    expect(cm2.every((p) => p.tablet)).toBe(true);

    const [summary] = expectStatus<any[]>(await director.post('/api/education/rollover', { toYear: '2027-2028', schoolId: schools[JULES_FERRY] }), 200);
    expect(summary).toMatchObject({ fromYear: '2026-2027', toYear: '2027-2028', rule: 'return', changed: true, classesCreated: 4, pupilsLeft: cm2.length, pupilsMovedUp: before.length - cm2.length, tabletsToCollect: cm2.length, tabletsLeftWithPupils: 0 });

    const classes = expectStatus<any[]>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/classes?year=2027-2028`), 200);
    expect(classes.map((c) => [c.name, c.levels])).toEqual([
      ['CE1 A', ['CE1']],
      ['CE2 A', ['CE2']],
      ['CM1 A', ['CM1']],
      ['CM2 A', ['CM2']],
    ]);
    const after = await pupilsOf(director, JULES_FERRY);
    expect(after).toHaveLength(before.length - cm2.length);
    expect(after.find((p) => p.id === cp.id)).toMatchObject({ level: 'CE1', className: 'CE1 A', tablet: cp.tablet });
    const leavers = (await pupilsOf(director, JULES_FERRY, '&includeLeft=true')).filter((p) => p.leftAt);
    expect(leavers.map((p) => p.leftAt)).toEqual(cm2.map(() => '2027-07-03'));

    const checklist = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/rollover-checklist`), 200);
    const collect = checklist.items.filter((i: any) => i.item === 'collect_tablet');
    expect(collect).toHaveLength(cm2.length);
    expect(collect.every((i: any) => !i.done)).toBe(true);
    // The CM2 class's projector has no class to follow: it is to reassign.
    expect(checklist.items.filter((i: any) => i.item === 'reassign_class_equipment')).toHaveLength(1);
    const first = await db().selectFrom('edu_assets').select('id').where('serial', '=', collect[0].serial).executeTakeFirstOrThrow();
    expectStatus(await director.post(`/api/education/assets/${first.id}/check-in`), 200);
    const updated = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/rollover-checklist`), 200);
    expect(updated.items.filter((i: any) => i.item === 'collect_tablet' && i.done).map((i: any) => i.serial)).toEqual([collect[0].serial]);
  });

  it('changes nothing when run a second time', async () => {
    const snapshot = async () => ({
      classes: (await db().selectFrom('edu_classes').select('id').execute()).length,
      pupils: await db().selectFrom('edu_pupils').select(['id', 'level', 'class_id', 'left_at']).orderBy('id').execute(),
      checklist: (await db().selectFrom('edu_checklist').select('label').execute()).length,
      audit: (await db().selectFrom('audit_log').select('seq').where('action', '=', 'education.rollover').execute()).length,
    });
    const before = await snapshot();
    const [summary] = expectStatus<any[]>(await director.post('/api/education/rollover', { toYear: '2027-2028', schoolId: schools[JULES_FERRY] }), 200);
    expect(summary).toMatchObject({ changed: false, classesCreated: 4 });
    expect(await snapshot()).toEqual(before);
  });

  it('lets the tablet go to collège with the pupil under the keep rule', async () => {
    const programme = expectStatus<any>(await admin.get('/api/education/programmes/com-92023'), 200);
    const body = {
      name: programme.name,
      startYear: programme.startYear,
      leaverRule: 'keep',
      targets: programme.targets,
      budgets: programme.plan.map((p: any) => ({ year: p.year, budget: p.budget })),
      waves: programme.waves.map((w: any) => ({ schoolId: w.schoolId, wave: w.wave, plannedDate: w.plannedDate })),
    };
    expectStatus(await admin.request('PUT', '/api/education/programmes/com-92023', body), 200);
    const cm2 = (await pupilsOf(admin, PETIT_CLAMART)).filter((p) => p.level === 'CM2');
    const [summary] = expectStatus<any[]>(await admin.post('/api/education/rollover', { toYear: '2027-2028', schoolId: schools[PETIT_CLAMART] }), 200);
    expect(summary).toMatchObject({ rule: 'keep', pupilsLeft: cm2.length, tabletsLeftWithPupils: cm2.length, tabletsToCollect: 0 });
    const tablet = await db().selectFrom('edu_assets').select(['id', 'state']).where('serial', '=', cm2[0].tablet).executeTakeFirstOrThrow();
    expect(tablet.state).toBe('retired');
    const history = await db().selectFrom('edu_asset_history').select(['event', 'to_state']).where('asset_id', '=', tablet.id).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(history).toEqual({ event: 'left_with_pupil', to_state: 'retired' });
  });

  it('rolls over every school of the town at once, leaving those already done as they are', async () => {
    expect((await director.post('/api/education/rollover', { toYear: '2027-2028', schoolId: schools[PETIT_CLAMART] })).statusCode).toBe(404);
    const all = expectStatus<any[]>(await admin.post('/api/education/rollover', { toYear: '2027-2028' }), 200);
    expect(all).toHaveLength(12);
    expect(all.filter((s) => !s.changed).map((s) => s.schoolId).sort()).toEqual([schools[JULES_FERRY], schools[PETIT_CLAMART]].sort());
    expect(all.filter((s) => s.changed).every((s) => s.pupilsLeft > 0 && s.classesCreated >= 4)).toBe(true);
  });
});
