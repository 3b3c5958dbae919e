import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { expectStatus, JULES_FERRY, ondeBody, PETIT_CLAMART, sample, sampleOnde } from './helpers.js';

const drivers = await testDrivers();

describe.each(drivers)('education schools, pupils and ONDE import on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  let director: ApiClient;
  let schools: Record<string, string>;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    director = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    const list = expectStatus<{ id: string; uai: string }[]>(await admin.get('/api/education/schools'), 200);
    schools = Object.fromEntries(list.map((s) => [s.uai, s.id]));
  });
  afterAll(() => t?.close());

  it('seeds the twelve schools of Clamart with 800+ pupils', async () => {
    const list = expectStatus<{ uai: string; pupils: number; classes: number }[]>(await admin.get('/api/education/schools'), 200);
    expect(list).toHaveLength(12);
    expect(list.reduce((n, s) => n + s.pupils, 0)).toBeGreaterThan(800);
    expect(list.every((s) => s.classes === 5)).toBe(true);
  });

  it('shows school staff their own school only, and nothing of another school (404), even through the API', async () => {
    const mine = expectStatus<{ uai: string }[]>(await director.get('/api/education/schools'), 200);
    expect(mine.map((s) => s.uai)).toEqual([JULES_FERRY]);
    const pupils = expectStatus<{ total: number; items: { schoolRef: string; lastInitial: string }[] }>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?pageSize=200`), 200);
    expect(pupils.total).toBeGreaterThan(60);
    expect(pupils.items.every((p) => p.lastInitial.length === 1)).toBe(true);

    const other = schools[PETIT_CLAMART];
    for (const url of [`/api/education/schools/${other}`, `/api/education/schools/${other}/pupils`, `/api/education/schools/${other}/classes`, `/api/education/schools/${other}/staff`, `/api/education/schools/${other}/licences`]) {
      expect((await director.get(url)).statusCode, url).toBe(404);
    }
    const otherPupil = expectStatus<{ items: { id: string }[] }>(await admin.get(`/api/education/schools/${other}/pupils?pageSize=1`), 200).items[0]!;
    expect((await director.get(`/api/education/pupils/${otherPupil.id}/export`)).statusCode).toBe(404);
    expect((await director.post('/api/education/imports/onde', ondeBody(PETIT_CLAMART, '2026-2027', { pupils: sample('onde', JULES_FERRY, 'eleves.csv') }))).statusCode).toBe(404);
    const otherClass = expectStatus<{ id: string }[]>(await admin.get(`/api/education/schools/${other}/classes`), 200)[0]!;
    expect((await director.post(`/api/education/classes/${otherClass.id}/class-set`, { type: 'tablet' })).statusCode).toBe(404);

    // Another town's agent sees no school of Clamart; the auditor sees schools but not pupils.
    const versailles = await ApiClient.signIn(t.app, 'agent.versailles@mutualis.demo');
    expect(expectStatus<unknown[]>(await versailles.get('/api/education/schools'), 200)).toEqual([]);
    expect((await versailles.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils`)).statusCode).toBe(404);
    const auditor = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect(expectStatus<unknown[]>(await auditor.get('/api/education/schools'), 200)).toHaveLength(12);
    expect((await auditor.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils`)).statusCode).toBe(403);
  });

  it('imports the ONDE sample folder with a report of the rejected lines (Latin-1 pupils file)', async () => {
    const res = expectStatus<any>(await director.post('/api/education/imports/onde', sampleOnde()), 200);
    expect(res.encodings).toEqual({ 'eleves.csv': 'iso-8859-1', 'enseignants.csv': 'utf-8', 'responsables.csv': 'utf-8' });
    expect(res.pupils).toEqual({ created: 7, updated: 0 });
    expect(res.staff).toEqual({ created: 3, updated: 0 });
    expect(res.classes.created).toBe(3);
    expect(res.rejects).toEqual([
      { file: 'eleves.csv', line: 9, reason: expect.stringMatching(/INE/) },
      { file: 'eleves.csv', line: 10, reason: expect.stringMatching(/niveau inconnu « GS »/) },
      { file: 'eleves.csv', line: 11, reason: 'prénom manquant' },
      { file: 'enseignants.csv', line: 4, reason: expect.stringMatching(/courriel invalide/) },
      { file: 'responsables.csv', line: 12, reason: expect.stringMatching(/élève inconnu.*JF26-099/) },
    ]);
    const pupils = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?q=jf26&pageSize=50&sort=schoolRef`), 200);
    expect(pupils.items.map((p: any) => [p.schoolRef, p.firstName, p.lastInitial, p.level, p.className, p.guardians])).toEqual([
      ['JF26-001', 'Anaïs', 'L', 'CP', 'CP B', 2],
      ['JF26-002', 'Bastien', 'M', 'CP', 'CP B', 1],
      ['JF26-003', 'Céleste', 'D', 'CP', 'CP B', 1],
      ['JF26-004', 'Dorian', 'N', 'CE1', 'CE1-CE2 B', 2],
      ['JF26-005', 'Élise', 'R', 'CE2', 'CE1-CE2 B', 1],
      ['JF26-006', 'Fatou', 'D', 'CM2', 'CM2 B', 1],
      ['JF26-007', 'Gaspard', 'B', 'CM2', 'CM2 B', 2],
    ]);
    const classes = expectStatus<any[]>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/classes`), 200);
    expect(classes.find((c) => c.name === 'CE1-CE2 B')).toMatchObject({ levels: ['CE1', 'CE2'], pupils: 2 });
    // The same folder again updates what it created and creates nothing.
    const again = expectStatus<any>(await director.post('/api/education/imports/onde', sampleOnde()), 200);
    expect(again.pupils).toEqual({ created: 0, updated: 7 });
    expect(again.classes.created).toBe(0);
  });

  it('refuses a whole ONDE import for a bad file and writes nothing', async () => {
    const count = async () => expectStatus<any>(await admin.get(`/api/education/schools/${schools[PETIT_CLAMART]}/pupils?pageSize=1`), 200).total;
    const before = await count();
    const refused = async (files: Parameters<typeof ondeBody>[2], pattern: RegExp) => {
      const res = await admin.post('/api/education/imports/onde', ondeBody(PETIT_CLAMART, '2026-2027', files));
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('file_refused');
      expect(res.json().error.message).toMatch(pattern);
    };
    const good = 'Identifiant élève;Prénom;Nom;Niveau;Classe\nPC-1;Zoé;Martin;CP;CP Z\n';
    await refused({ pupils: 'Identifiant élève;Prénom;Niveau;Classe\nPC-1;Zoé;CP;CP Z\n' }, /eleves\.csv : colonne manquante : Nom/);
    await refused({ pupils: 'Identifiant élève;INE;Prénom;Nom;Niveau;Classe\nPC-1;1234567890A;Zoé;Martin;CP;CP Z\n' }, /colonne « INE » refusée/);
    await refused({ pupils: Buffer.from(`\ufeff${good}`, 'utf16le') }, /encodage illisible/);
    await refused({ pupils: Buffer.concat([Buffer.from(good.replace('Zoé', 'Zo\u00e9')), Buffer.from('PC-2;L\xe9a;Roy;CP;CP Z\n', 'latin1')]) }, /mêle de l’UTF-8/);
    // A good pupils file with a bad guardians file: nothing of either is written.
    await refused({ pupils: good, guardians: 'Eleve,Lien\nPC-1,Mère\n' }, /responsables\.csv/);
    expect(await count()).toBe(before);

    const unknownUai = await admin.post('/api/education/imports/onde', ondeBody('0921239X', '2026-2027', { pupils: good }));
    expect(unknownUai.statusCode).toBe(404);
    expect(unknownUai.json().error.message).toMatch(/UAI inconnu : 0921239X/);
    const unknownYear = await admin.post('/api/education/imports/onde', ondeBody(PETIT_CLAMART, '2031-2032', { pupils: good }));
    expect(unknownYear.statusCode).toBe(422);
    expect(await count()).toBe(before);
  });

  it('exports a pupil’s data as JSON and audits the access', async () => {
    const pupil = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?q=JF26-001`), 200).items[0];
    const data = expectStatus<any>(await director.get(`/api/education/pupils/${pupil.id}/export`), 200);
    expect(data.pupil).toMatchObject({ schoolRef: 'JF26-001', firstName: 'Anaïs', lastInitial: 'L', guardians: 2 });
    expect(JSON.stringify(data)).not.toMatch(/Lefèvre|2020-03-14/);
    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('action', '=', 'education.pupil.export').where('entity_id', '=', pupil.id).execute();
    expect(audit).toEqual([{ action: 'education.pupil.export', actor_label: 'ecole.clamart@mutualis.demo' }]);
  });

  it('purges the pupils who left longer ago than the retention, audited', async () => {
    const db = t.platform.database.db;
    const [old, recent] = expectStatus<any>(await admin.get(`/api/education/schools/${schools[PETIT_CLAMART]}/pupils?pageSize=2&sort=schoolRef`), 200).items;
    const monthsAgo = (n: number) => new Date(Date.now() - n * 31 * 86400000).toISOString().slice(0, 10);
    await db.updateTable('edu_pupils').set({ left_at: monthsAgo(13) }).where('id', '=', old.id).execute();
    await db.updateTable('edu_pupils').set({ left_at: monthsAgo(6) }).where('id', '=', recent.id).execute();
    expect((await director.post('/api/education/purge')).statusCode).toBe(403);
    const superAdmin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
    expect(expectStatus<any>(await superAdmin.post('/api/education/purge'), 200).purged).toBe(1);
    const left = await db.selectFrom('edu_pupils').select('id').where('id', 'in', [old.id, recent.id]).execute();
    expect(left.map((p) => p.id)).toEqual([recent.id]);
    expect(expectStatus<any>(await superAdmin.post('/api/education/purge'), 200).purged).toBe(0);
    expect(await db.selectFrom('audit_log').select('action').where('action', '=', 'education.pupil.purge').execute()).toHaveLength(1);
  });
});
