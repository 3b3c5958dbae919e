import { describe, expect, it } from 'vitest';
import type { CommuneCatalogue } from '../territory/index.js';
import { detectLayout, FileRefused } from './building-file.js';
import { readBuildingFile, type BuildingBatch, type Reject } from './building-reader.js';
import { PlaceChecker, toLonLat } from './coordinates.js';
import { decodeToUtf8, type FileFacts } from './text-decoding.js';
import { FingerprintSet } from './fingerprint-set.js';
import { forecastOf } from './fibre.service.js';

// One square commune around Ablis, enough for the reader's checks.
const square = { type: 'Polygon' as const, coordinates: [[[1.7, 48.4], [2.0, 48.4], [2.0, 48.7], [1.7, 48.7], [1.7, 48.4]]] };
const places = new PlaceChecker({
  byInsee: new Map([['78003', { commune: { insee: '78003', departement: '78' }, geometry: square }]]),
  locator: { locate: () => undefined },
} as unknown as CommuneCatalogue);

async function read(text: string | Buffer, chunk = 1000) {
  const data = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const batches: BuildingBatch[] = [];
  const rejects: Reject[] = [];
  const sink = { buildings: async (b: BuildingBatch) => void batches.push(b), rejects: async (r: Reject[]) => void rejects.push(...r), written: async () => new Set<string>(), flush: async () => {} };
  async function* source() {
    for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
  }
  const result = await readBuildingFile(source(), places, sink, { maxBytes: 1e9, batchSize: 500 });
  return { result, ids: batches.flatMap((b) => b.ids), rejects: rejects.sort((a, b) => a.line - b.line) };
}

const HEADER = 'IdentifiantImmeuble;EtatImmeuble;CodeInseeImmeuble;NombreLogementsAdresseIPE;CoordonneeImmeubleX;CoordonneeImmeubleY;NomVoieImmeuble';

describe('building file reader', () => {
  it('reads quoted values, across blocks and lines, with the right line numbers', async () => {
    // Over a megabyte, so that it spans several blocks; every 1000th row has a value on two lines.
    const rows = Array.from({ length: 12_000 }, (_, i) =>
      i % 1000 === 999 ? `"B${i}";"DEPLOYE";78003;1;1.85;48.53;"RUE ""LONGUE""\nSUITE"` : `"B${i}";"CIBLE";"78003";2;1.85;48.53;"RUE DU MOULIN ${'X'.repeat(60)}"`,
    );
    rows[5000] = 'B5000;INCONNU;78003;1;1.85;48.53;RUE';
    const { result, ids, rejects } = await read([HEADER, ...rows, ''].join('\n'), 4096);
    expect(result.lines).toBe(12_000);
    expect(result.accepted).toBe(11_999);
    expect(new Set(ids).size).toBe(11_999);
    // Row i is on line i + 2 plus one for each two-line value before it.
    expect(rejects).toEqual([{ line: 5000 + 2 + 5, buildingId: 'B5000', reason: expect.stringContaining('INCONNU') }]);
    expect(result.byCommune.get('78003')!.DE).toEqual({ buildings: 12, dwellings: 12 });
  });

  it('reads a file the same through the quote-free fast path and through csv-parse', async () => {
    const fields = (i: number) => [`B${i}`, ['CIBLE', 'SIGNE', 'DEPLOYE', 'INCONNU', 'ABANDONNE'][i % 5]!, '78003', String(i % 7), '1.85', '48.53', `RUE ${i}`];
    const rows = Array.from({ length: 3000 }, (_, i) => fields(i));
    const plain = await read([HEADER, ...rows.map((r) => r.join(';')), ''].join('\n'), 4096);
    const quoted = await read([HEADER, ...rows.map((r) => r.map((f) => `"${f}"`).join(';')), ''].join('\n'), 4096);
    expect(plain.result.accepted).toBe(3000 - 600);
    expect(plain.rejects).toHaveLength(600);
    expect(quoted.ids).toEqual(plain.ids);
    expect(quoted.rejects).toEqual(plain.rejects);
    expect(quoted.result.byCommune).toEqual(plain.result.byCommune);
  });

  it('reads the same bytes however the chunks cut multi-byte characters', async () => {
    const text = `${HEADER}\r\nÉ1;DÉPLOYÉ;78003;1;1,85;48,53;RUE DE L’ÉGLISE\r\n`;
    const { ids, result } = await read(Buffer.from(`\uFEFF${text}`), 1);
    expect(ids).toEqual(['É1']);
    expect(result.facts.encoding).toBe('utf-8-bom');
  });

  it('refuses a quote that never closes', async () => {
    await expect(read(`${HEADER}\nB1;CIBLE;78003;1;1.85;48.53;"RUE\n${'B2;CIBLE;78003;1;1.85;48.53;RUE\n'.repeat(50)}`)).rejects.toThrow(/mal formé à la ligne \d+ : guillemet ouvert jamais fermé/);
  });
});

describe('file layout', () => {
  it('finds columns by name and says what is wrong with a header', () => {
    expect(detectLayout('\uFEFFEtatImmeuble;IdentifiantImmeuble;CodeInseeImmeuble;NombreLogementsAdresseIPE;CoordonneeImmeubleX;CoordonneeImmeubleY')).toMatchObject({ format: 'ipe', id: 1, state: 0, projection: -1 });
    expect(() => detectLayout('EtatImmeuble\tIdentifiantImmeuble\tCodeInseeImmeuble\tNombreLogementsAdresseIPE\tCoordonneeImmeubleX\tCoordonneeImmeubleY')).toThrow(/séparé par tabulation/);
    expect(() => detectLayout('x;y;imb_id;code_insee;imb_etat')).toThrow(/colonne obligatoire absente : catg_loc_imb/);
    expect(() => detectLayout('a;b;c')).toThrow(FileRefused);
  });
});

describe('coordinates', () => {
  it('converts Lambert-93 (EPSG:2154) and tells degrees from metres', () => {
    const [lon, lat] = toLonLat('615706.7', '6826313.2', 'lambert93') as [number, number];
    expect(lon).toBeCloseTo(1.85826, 4);
    expect(lat).toBeCloseTo(48.53157, 4);
    expect(toLonLat('615706,7', '6826313,2', undefined)).toEqual(toLonLat('615706.7', '6826313.2', undefined));
    expect(toLonLat('1.85', '48.53', undefined)).toEqual([1.85, 48.53]);
    expect(toLonLat('', '48.53', undefined)).toBe('coordonnées manquantes');
  });
});

describe('decoding', () => {
  it('switches to ISO-8859-1 only while everything read was ASCII', async () => {
    const facts: Partial<FileFacts> = {};
    const out: Buffer[] = [];
    async function* src() {
      yield Buffer.from('abc;def\n');
      yield Buffer.from([0x43, 0x4f, 0x45, 0x55, 0x52, 0x20, 0x9c, 0xe9, 0x0a]);
    }
    for await (const b of decodeToUtf8(src(), facts, 1e6)) out.push(b);
    expect(Buffer.concat(out).toString('utf8')).toBe('abc;def\nCOEUR œé\n');
    expect(facts.encoding).toBe('iso-8859-1');
  });
});

describe('fingerprints and forecast', () => {
  it('tells seen ids from new ones', () => {
    const set = new FingerprintSet();
    let added = 0;
    for (let i = 0; i < 200_000; i++) added += set.add(`IMB/78${i}`) ? 1 : 0;
    expect(added).toBe(200_000);
    expect(set.add('IMB/78123')).toBe(false);
  });

  it('forecasts from the last twelve months', () => {
    const timeline = [
      { date: '2024-01-01', connectableDwellings: 0 },
      { date: '2025-01-01', connectableDwellings: 36_600 },
      { date: '2026-01-01', connectableDwellings: 73_000 },
    ];
    expect(forecastOf(timeline, 100_000)).toEqual({ pacePerMonth: 3036, forecastDate: '2026-09-29', reached: false });
    expect(forecastOf([{ date: '2026-01-01', connectableDwellings: 100_000 }], 100_000)).toMatchObject({ reached: true });
    expect(forecastOf(timeline.slice(0, 1), 100_000)).toEqual({ pacePerMonth: null, forecastDate: null, reached: false });
  });
});
