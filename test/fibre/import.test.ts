import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import { testDrivers } from '../support/databases.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { chunks, DECEMBER, ipeText, JUNE, latin1, utf8, type Row } from './files.js';

const drivers = await testDrivers();

describe.each(drivers)('fibre import on %s', (driver) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(driver, { seed: false });
  });
  afterAll(() => t?.close());

  const importBytes = (data: Buffer, date: string, operator = 'THD78') =>
    t.platform.fibre.importFile(SYSTEM_ACTOR, { operator, date, fileName: `${operator}-${date}.csv`, source: chunks(data) });
  const counts = async () => {
    const db = t.platform.database.db;
    const n = async (table: 'fibre_imports' | 'fibre_buildings' | 'fibre_commune_stats' | 'audit_log') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { imports: await n('fibre_imports'), buildings: await n('fibre_buildings'), stats: await n('fibre_commune_stats'), audit: await n('audit_log') };
  };
  const progressOf = async (insee: string) => (await t.platform.fibre.communeProgress()).communes.find((c) => c.insee === insee);

  it('imports a UTF-8 file with a BOM in Lambert-93, with the figures computed by hand', async () => {
    const done = await importBytes(utf8(ipeText(JUNE, 'l93'), true), '2025-06-30');
    expect(done.outcome).toBe('accepted');
    expect(done.import).toMatchObject({ status: 'accepted', format: 'ipe', encoding: 'utf-8-bom', lines: 8, accepted: 8, rejected: 0, dwellings: 20 });
    const ablis = await progressOf('78003');
    expect(ablis).toMatchObject({ name: 'Ablis', designated: true, buildings: 4, dwellings: 8, connectableDwellings: 5, shareConnectable: 0.625, change: null });
    expect(ablis!.byState).toEqual({
      CI: { buildings: 1, dwellings: 1 },
      SI: { buildings: 0, dwellings: 0 },
      EC: { buildings: 1, dwellings: 2 },
      DE: { buildings: 2, dwellings: 5 },
      AB: { buildings: 1, dwellings: 3 },
    });
    expect(await progressOf('78020')).toMatchObject({ buildings: 3, dwellings: 9, connectableDwellings: 2, shareConnectable: 0.2222 });
    const [point] = (await t.platform.fibre.communeBuildings('78003')).features.filter((f) => f.properties.id === 'IMB/78003/A1');
    expect(point!.geometry.coordinates[0]).toBeCloseTo(1.85826, 4);
    expect(point!.geometry.coordinates[1]).toBeCloseTo(48.53157, 4);
  });

  it('imports an ISO-8859-1 file in WGS84 as the next snapshot, with the change since the previous one', async () => {
    const done = await importBytes(latin1(ipeText(DECEMBER, 'wgs84')), '2025-12-31');
    expect(done.import).toMatchObject({ status: 'accepted', encoding: 'iso-8859-1', accepted: 7, rejected: 0 });
    const ablis = await progressOf('78003');
    expect(ablis).toMatchObject({ dwellings: 8, connectableDwellings: 7, shareConnectable: 0.875, change: { connectableDwellings: 2, shareConnectable: 0.25 } });
    expect(ablis!.byState.AB).toEqual({ buildings: 0, dwellings: 0 });
    expect(await progressOf('78020')).toMatchObject({ connectableDwellings: 3, shareConnectable: 0.3333, change: { connectableDwellings: 1 } });

    const history = await t.platform.fibre.communeHistory('78003');
    expect(history.points.map((p) => [p.date, p.connectableDwellings, p.shareConnectable])).toEqual([
      ['2025-06-30', 5, 0.625],
      ['2025-12-31', 7, 0.875],
    ]);
    // As of a date between the two snapshots, the June one holds.
    expect((await t.platform.fibre.communeProgress('2025-09-01')).communes.find((c) => c.insee === '78003')?.connectableDwellings).toBe(5);

    const programme = await t.platform.fibre.programme(3);
    expect(programme).toMatchObject({ targetHouseholds: 100_000, designatedCommunes: 187, date: '2025-12-31', connectableDwellings: 10, dwellings: 17, progress: 0.0001 });
    expect(programme.timeline).toEqual([
      { date: '2025-06-30', connectableDwellings: 7, dwellings: 17 },
      { date: '2025-12-31', connectableDwellings: 10, dwellings: 17 },
    ]);
    // Communes without any building yet come first (nothing connectable), the largest first.
    expect(programme.rankedByNeed[0]).toMatchObject({ rank: 1, shareNotConnectable: 1, dwellings: 0 });
    expect(programme.rankedByNeed[0]!.population).toBeGreaterThanOrEqual(programme.rankedByNeed[1]!.population!);
  });

  it('rejects bad lines with their number and reason and imports the rest', async () => {
    const rows: Row[] = [
      { id: 'R1', state: 'DEPLOYE', insee: '78003', dwellings: 1 },
      { id: 'R2', state: 'RACCORDE', insee: '78003', dwellings: 1 },
      { id: 'R3', state: 'CIBLE', insee: '91064', dwellings: 1, at: '78003' },
      { id: 'R4', state: 'CIBLE', insee: '78003', dwellings: -2 },
      { id: 'R1', state: 'CIBLE', insee: '78003', dwellings: 1 },
      { id: 'R5', state: 'CIBLE', insee: '78003', dwellings: 1, at: '92023' },
      { id: 'R6', state: 'CIBLE', insee: '78020', dwellings: 'deux' },
    ];
    const text = ipeText(rows, 'l93').replace('\r\nCOMMUNE;CIBLE;R6', '\r\n\r\nCOMMUNE;CIBLE;R6') + 'COMMUNE;CIBLE;R7;x;78020\r\n';
    const done = await importBytes(utf8(text), '2025-06-30', 'REJECTS');
    expect(done.import).toMatchObject({ lines: 8, accepted: 1, rejected: 7 });
    expect(done.rejects.map((r) => [r.line, r.reason.replace(/ \(.*$|« .* »/g, '').trim()])).toEqual([
      [3, 'état inconnu'],
      [4, 'code INSEE inconnu'],
      [5, 'nombre de logements négatif'],
      [6, 'identifiant d’immeuble  en double'],
      [7, 'coordonnées hors du département 78 de la commune 78003'],
      [9, 'nombre de logements illisible'],
      [10, '5 champs au lieu de 9'],
    ]);
    expect(done.rejects[0]!.reason).toContain('« RACCORDE »');
    const page = await t.platform.fibre.listRejects(done.import.id, { page: 1, pageSize: 2 });
    expect(page.total).toBe(7);
    expect(page.items).toEqual([
      { line: 3, buildingId: 'R2', reason: expect.stringContaining('état inconnu') },
      { line: 4, buildingId: 'R3', reason: expect.stringContaining('91064') },
    ]);
  });

  it('imports ARCEP building files (comma-separated, WGS84, size classes)', async () => {
    const text = [
      'x,y,imb_id,num_voie,code_insee,nom_com,catg_loc_imb,imb_etat,pm_ref',
      '1.72428,48.90977,IMB/ARCEP/1,3,78020,Arnouville-lès-Mantes,individuel,deploye,PM1',
      '1.72428,48.90977,IMB/ARCEP/2,5,78020,Arnouville-lès-Mantes,entre 2 et 11,en cours de deploiement,PM1',
      '1.72428,48.90977,IMB/ARCEP/3,7,78020,Arnouville-lès-Mantes,château,cible,PM1',
    ].join('\n');
    const done = await importBytes(utf8(text), '2025-06-30', 'ARCEP');
    expect(done.import).toMatchObject({ format: 'arcep', encoding: 'utf-8', accepted: 2, rejected: 1, dwellings: 7 });
    expect(done.rejects).toEqual([{ line: 4, buildingId: 'IMB/ARCEP/3', reason: 'catégorie de logement inconnue « château »' }]);
  });

  it.each([
    ['an unknown header', utf8('nom;prenom\nDupont;Jean\n'), /En-tête inconnu/],
    ['a missing column', utf8(ipeText(JUNE, 'l93').replace('NombreLogementsAdresseIPE', 'Logements')), /colonne obligatoire absente : NombreLogementsAdresseIPE/],
    ['the wrong separator', utf8(ipeText(JUNE, 'l93', { separator: ',' })), /Mauvais séparateur : le fichier est séparé par « , »/],
    ['UTF-8 then Latin-1', Buffer.concat([utf8(ipeText(JUNE, 'l93')), latin1('ARNOUVILLE-LÈS-MANTES;CIBLE;Z;x;78020;1;1;1;RGF93\n')]), /Encodage illisible : le fichier commence en UTF-8/],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08]), /octets nuls/],
    ['an unclosed quote', utf8(ipeText(JUNE, 'l93') + 'ABLIS;"CIBLE;Q1;x;78003;1;615706.7;6826313.2;RGF93\n'), /guillemet/],
    ['an empty file', Buffer.alloc(0), /Fichier vide/],
  ])('refuses a file with %s as a whole, keeping the previous snapshot', async (_what, data, reason) => {
    const before = await progressOf('78003');
    const before_ = await counts();
    const done = await importBytes(data, '2025-12-31');
    expect(done.outcome).toBe('refused');
    expect(done.import.refusal).toMatch(reason);
    expect(await progressOf('78003')).toEqual(before);
    const after = await counts();
    // Only the refusal itself is recorded: one import row and its audit record.
    expect(after).toEqual({ ...before_, imports: before_.imports + 1, audit: before_.audit + 1 });
  });

  it('leaves the previous snapshot intact when reading fails half-way', async () => {
    const before = await counts();
    const progress = await progressOf('78003');
    async function* failing() {
      yield utf8(ipeText(DECEMBER.map((r) => ({ ...r, state: 'CIBLE' })), 'l93'));
      throw new Error('lecture interrompue');
    }
    await expect(t.platform.fibre.importFile(SYSTEM_ACTOR, { operator: 'THD78', date: '2025-12-31', fileName: 'x.csv', source: failing() })).rejects.toThrow('lecture interrompue');
    expect(await counts()).toEqual(before);
    expect(await progressOf('78003')).toEqual(progress);
  });

  it('changes nothing when the same file comes again for the same operator and date', async () => {
    const before = await counts();
    const events: unknown[] = [];
    const off = t.platform.bus.subscribe('fibre.*', (e) => void events.push(e));
    const again = await importBytes(latin1(ipeText(DECEMBER, 'wgs84')), '2025-12-31');
    off();
    expect(again.outcome).toBe('unchanged');
    expect(again.import.snapshotDate).toBe('2025-12-31');
    expect(await counts()).toEqual(before);
    expect(events).toEqual([]);
  });

  it('replaces an operator’s snapshot with a new file for the same date, and says so', async () => {
    const events: { topic: string }[] = [];
    const off = t.platform.bus.subscribe('fibre.*', (e) => void events.push(e));
    const fixed = await importBytes(utf8(ipeText(DECEMBER.map((r) => ({ ...r, state: 'DEPLOYE' })), 'l93')), '2025-12-31');
    off();
    expect(fixed.outcome).toBe('accepted');
    expect(events.map((e) => e.topic)).toEqual(['fibre.import.completed']);
    // 8 dwellings of THD78, and 1 from the file of the rejects test (another operator, same commune).
    expect(await progressOf('78003')).toMatchObject({ connectableDwellings: 9, shareConnectable: 1 });
    const history = await t.platform.fibre.listImports({ page: 1, pageSize: 50, operator: 'THD78', status: 'superseded' });
    expect(history.items.map((i) => i.snapshotDate)).toEqual(['2025-12-31']);
    const orphans = await t.platform.database.db.selectFrom('fibre_buildings').select('import_id').where('import_id', '=', history.items[0]!.id).execute();
    expect(orphans).toEqual([]);
    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'summary']).where('entity_id', '=', fixed.import.id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'fibre.import', summary: { supersedes: history.items[0]!.id } });
  });

  it('refuses a bad operator code or date before reading anything', async () => {
    await expect(importBytes(utf8(ipeText(JUNE, 'l93')), '2025-02-30')).rejects.toMatchObject({ statusCode: 422 });
    await expect(importBytes(utf8(ipeText(JUNE, 'l93')), '2999-01-01')).rejects.toMatchObject({ statusCode: 422 });
    await expect(importBytes(utf8(ipeText(JUNE, 'l93')), '2025-06-30', 'thd 78')).rejects.toMatchObject({ statusCode: 422 });
  });
});
