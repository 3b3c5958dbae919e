import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { readStandard, readStandardJson } from '../support/standards.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { DEMO_OCPP_PASSWORD } from '../../src/modules/charging/index.js';
import { SimulatedStation } from '../../src/modules/charging/simulator.js';
import { csvProblems, jsonProblems, type TableSchema } from './table-schema.js';
import { listen, until } from './ocpp-support.js';

const drivers = await testDrivers();
const STATIC = readStandardJson<TableSchema>('irve/schema-statique.json');
const DYNAMIC = readStandardJson<TableSchema>('irve/schema-dynamique.json');

describe('the Table Schema checks of this test', () => {
  it('accept the official valid examples and catch broken values', () => {
    const example = readStandard('irve/exemple-valide-statique.csv');
    expect(csvProblems(STATIC, example)).toEqual([]);
    expect(csvProblems(DYNAMIC, readStandard('irve/exemple-valide-dynamique.csv'))).toEqual([]);
    const broken = example.replace(',Voirie,', ',Trottoir,').replace(',2020-01-14,', ',2020-02-30,').replace('FRA68P68021001', 'fr-68');
    expect(csvProblems(STATIC, broken)).toEqual(
      expect.arrayContaining([
        'line 2: implantation_station: "Trottoir" not in the enumeration',
        'line 2: date_mise_en_service: not a date',
        expect.stringMatching(/^line 2: id_station_itinerance: "fr-68" does not match/),
      ]),
    );
  });
});

describe.each(drivers)('IRVE open data on %s', (driver) => {
  let t: TestPlatform;
  let url: string;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    url = await listen(t.app);
  });
  afterAll(() => t?.close());

  const get = (path: string) => t.app.inject({ method: 'GET', url: path });

  it('publishes the static file without authentication, every row valid against schema IRVE v2.3', async () => {
    const csv = await get('/api/opendata/irve/statique.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csvProblems(STATIC, csv.body)).toEqual([]);
    expect(csv.body.trim().split('\n')).toHaveLength(1 + 14);

    const json = await get('/api/opendata/irve/statique.json');
    const rows = json.json() as Record<string, unknown>[];
    expect(jsonProblems(STATIC, rows)).toEqual([]);
    expect(rows[0]).toMatchObject({ id_station_itinerance: expect.stringMatching(/^FRS78P78\d{5}$/), nbre_pdc: 2, puissance_nominale: 22, prise_type_2: true, prise_type_ef: true, prise_type_combo_ccs: false });
    expect(new Set(rows.map((r) => r.code_insee_commune)).size).toBe(7);
  });

  it('publishes the live file: a charge point in a session is occupe, a station offline is inconnu', async () => {
    const station = new SimulatedStation({ url, identity: 'DEMO-CS-01', password: DEMO_OCPP_PASSWORD, meterIntervalMs: 1000 });
    await station.boot();
    const transaction = (await station.startCharging(1, 'DEMO-TAG-001'))!;
    const rows = (await get('/api/opendata/irve/dynamique.json')).json() as Record<string, unknown>[];
    expect(jsonProblems(DYNAMIC, rows)).toEqual([]);
    const byPdc = new Map(rows.map((r) => [r.id_pdc_itinerance, r]));
    expect(byPdc.get('FRS78E78517011')).toMatchObject({ occupation_pdc: 'occupe', etat_pdc: 'en_service', etat_prise_type_2: 'fonctionnel', etat_prise_type_ef: 'fonctionnel' });
    expect(byPdc.get('FRS78E78517012')).toMatchObject({ occupation_pdc: 'libre', etat_pdc: 'en_service' });
    expect(byPdc.get('FRS78E78310011')).toMatchObject({ occupation_pdc: 'inconnu', etat_pdc: 'inconnu', etat_prise_type_2: 'inconnu' });

    const csv = await get('/api/opendata/irve/dynamique.csv');
    expect(csvProblems(DYNAMIC, csv.body)).toEqual([]);
    expect(csv.body).toContain('FRS78E78517011,en_service,occupe,');

    transaction.stop('Local');
    await transaction.stopped;
    await until(async () => ((await get('/api/opendata/irve/dynamique.json')).json() as Record<string, unknown>[]).find((r) => r.id_pdc_itinerance === 'FRS78E78517011')?.occupation_pdc === 'libre', 'free again');
    await station.close();
  });
});
