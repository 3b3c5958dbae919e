import { parse, CsvError } from 'csv-parse/sync';
import { detectLayout, dwellingsOf, FileRefused, stateOf, STATE_VALUES_TEXT, type Layout } from './building-file.js';
import { projectionOf, toLonLat, type PlaceChecker } from './coordinates.js';
import { decodeToUtf8, type FileFacts } from './text-decoding.js';
import { FingerprintSet } from './fingerprint-set.js';
import { STATES, type StateCode } from './fibre.tables.js';

/** Accepted buildings, column by column, as the bulk insert takes them. */
export interface BuildingBatch {
  ids: string[];
  insee: string[];
  states: StateCode[];
  dwellings: number[];
  longitudes: number[];
  latitudes: number[];
}

export interface Reject {
  line: number;
  buildingId: string | null;
  reason: string;
}

/** Where the reader writes what it accepts and rejects; the importer's transaction behind it. */
export interface BuildingSink {
  buildings(batch: BuildingBatch): Promise<void>;
  rejects(rejects: Reject[]): Promise<void>;
  /** Which of these building ids have been written already. */
  written(ids: string[]): Promise<Set<string>>;
  /** Everything written is in the database when it resolves. */
  flush(): Promise<void>;
}

export type StateCounts = Record<StateCode, { buildings: number; dwellings: number }>;

export interface ReadResult {
  layout: Layout;
  facts: FileFacts;
  lines: number;
  accepted: number;
  rejected: number;
  dwellings: number;
  byCommune: Map<string, StateCounts>;
  /** The first rejects, for the summary; all of them went to the sink. */
  firstRejects: Reject[];
}

export interface ReadOptions {
  maxBytes: number;
  batchSize?: number;
  keepRejects?: number;
}

const emptyBatch = (): BuildingBatch => ({ ids: [], insee: [], states: [], dwellings: [], longitudes: [], latitudes: [] });
const emptyCounts = (): StateCounts => Object.fromEntries(STATES.map((s) => [s, { buildings: 0, dwellings: 0 }])) as StateCounts;
const HEADER_MAX = 64 * 1024;

const BLOCK = 256 * 1024;

/**
 * The decoded file as blocks of whole lines, each with the number of its first line. A block ends at a
 * line end; a quoted value spanning two blocks is handled by the parser (see recordsOf).
 */
async function* lineBlocks(decoded: AsyncGenerator<Buffer>): AsyncGenerator<{ text: string; firstLine: number; last: boolean }> {
  let pending: Buffer = Buffer.alloc(0);
  let line = 1;
  for await (const chunk of decoded) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (pending.length < BLOCK) continue;
    const end = pending.lastIndexOf(0x0a);
    if (end < 0) continue;
    const text = pending.subarray(0, end + 1).toString('utf8');
    pending = Buffer.from(pending.subarray(end + 1));
    yield { text, firstLine: line, last: false };
    line += countLines(text);
  }
  yield { text: pending.toString('utf8'), firstLine: line, last: true };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

const PARSE_OPTIONS = {
  info: true,
  relax_column_count: true,
  // A stray quote inside a value (L"ECOLE) stays a character; only an unclosed opening quote breaks the file.
  relax_quotes: true,
  skip_empty_lines: true,
  max_record_size: HEADER_MAX,
} as const;

/**
 * The records of a block of lines, with their line numbers. A block without any quote, whose lines end with
 * \n or \r\n, reads the same by splitting lines and separators, which is several times faster than the
 * general parser; any other block goes through csv-parse. Returns null when the block ends inside a quoted
 * value: the caller joins it to the next block.
 */
function recordsOf(text: string, firstLine: number, separator: string, last: boolean): { line: number; fields: string[] }[] | null {
  const records: { line: number; fields: string[] }[] = [];
  if (!text.includes('"') && !/\r(?!\n)/.test(text)) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line !== '') records.push({ line: firstLine + i, fields: line.split(separator) });
    }
    return records;
  }
  try {
    for (const { record, info } of parse(text, { ...PARSE_OPTIONS, delimiter: separator }) as unknown as { record: string[]; info: { lines: number } }[]) {
      records.push({ line: firstLine + info.lines - 1, fields: record });
    }
    return records;
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED' && !last) return null;
    if (error instanceof CsvError) {
      const at = firstLine + ((error as CsvError & { lines?: number }).lines ?? 1) - 1;
      const what = error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'guillemet ouvert jamais fermé' : error.code === 'CSV_MAX_RECORD_SIZE' ? 'ligne de plus de 64 Ko (guillemet non fermé ?)' : error.message;
      throw new FileRefused(`Fichier CSV mal formé à la ligne ${at} : ${what}.`);
    }
    throw error;
  }
}

/**
 * Streams a building file (IPE or ARCEP) through validation into the sink in batches, in bounded memory:
 * a batch of rows, a batch of rejects and one fingerprint per building id. Refuses the whole file
 * (FileRefused) for an unreadable encoding, an unknown header or separator, or broken CSV quoting.
 */
export async function readBuildingFile(source: AsyncIterable<Buffer | string>, places: PlaceChecker, sink: BuildingSink, options: ReadOptions): Promise<ReadResult> {
  const batchSize = options.batchSize ?? 5000;
  const keepRejects = options.keepRejects ?? 100;
  const facts: Partial<FileFacts> = {};
  const decoded = decodeToUtf8(source, facts, options.maxBytes);
  const blocks = lineBlocks(decoded);
  let layout: Layout | undefined;
  const result: ReadResult = { layout: undefined as unknown as Layout, facts: facts as FileFacts, lines: 0, accepted: 0, rejected: 0, dwellings: 0, byCommune: new Map(), firstRejects: [] };
  let batch = emptyBatch();
  let rejects: Reject[] = [];
  const seen = new FingerprintSet();
  const suspects: { line: number; id: string; insee: string; state: StateCode; dwellings: number; lon: number; lat: number }[] = [];

  // One write in flight while the next batch is parsed: the database works while JavaScript parses.
  let inflight: Promise<void> = Promise.resolve();
  const write = async (job: () => Promise<void>) => {
    await inflight;
    inflight = job();
    inflight.catch(() => {});
  };
  const reject = async (line: number, buildingId: string | null, reason: string) => {
    result.rejected += 1;
    const r = { line, buildingId, reason };
    if (result.firstRejects.length < keepRejects) result.firstRejects.push(r);
    rejects.push(r);
    if (rejects.length >= 1000) {
      const full = rejects;
      rejects = [];
      await write(() => sink.rejects(full));
    }
  };
  const accept = (id: string, insee: string, state: StateCode, dwellings: number, lon: number, lat: number) => {
    batch.ids.push(id);
    batch.insee.push(insee);
    batch.states.push(state);
    batch.dwellings.push(dwellings);
    batch.longitudes.push(lon);
    batch.latitudes.push(lat);
    let counts = result.byCommune.get(insee);
    if (!counts) result.byCommune.set(insee, (counts = emptyCounts()));
    counts[state].buildings += 1;
    counts[state].dwellings += dwellings;
    result.accepted += 1;
    result.dwellings += dwellings;
  };

  let carry = '';
  let carryLine = 1;
  try {
    for await (const block of blocks) {
      const text = carry + block.text;
      const firstLine = carry ? carryLine : block.firstLine;
      let records: { line: number; fields: string[] }[] | null;
      if (!layout) {
        // The header: its line gives the format and the separator, or the reason to refuse the file.
        const end = text.indexOf('\n');
        layout = result.layout = detectLayout(end < 0 ? text : text.slice(0, end));
        records = recordsOf(end < 0 ? '' : text.slice(end + 1), firstLine + 1, layout.separator, block.last);
      } else {
        records = recordsOf(text, firstLine, layout.separator, block.last);
      }
      if (records === null) {
        [carry, carryLine] = [text, firstLine];
        if (carry.length > HEADER_MAX + BLOCK * 4) throw new FileRefused(`Fichier CSV mal formé à partir de la ligne ${firstLine} : guillemet ouvert jamais fermé.`);
        continue;
      }
      carry = '';
      for (const { line, fields: record } of records) {
        result.lines += 1;
        if (record.length !== layout.width && !(record.length > layout.width && record.slice(layout.width).every((v) => v === ''))) {
          await reject(line, null, `${record.length} champs au lieu de ${layout.width} (séparateur « ${layout.separator} » dans une valeur ?)`);
          continue;
        }
        const id = record[layout.id]!.trim();
        if (id === '') {
          await reject(line, null, 'identifiant d’immeuble manquant');
          continue;
        }
        if (id.length > 64) {
          await reject(line, null, 'identifiant d’immeuble de plus de 64 caractères');
          continue;
        }
        const insee = record[layout.insee]!.trim();
        if (!places.departementOf(insee)) {
          await reject(line, id, `code INSEE inconnu « ${insee} » (communes des Yvelines et des Hauts-de-Seine)`);
          continue;
        }
        const rawState = record[layout.state]!;
        const state = stateOf(rawState);
        if (!state) {
          await reject(line, id, `état inconnu « ${rawState.trim()} » (attendu : ${STATE_VALUES_TEXT})`);
          continue;
        }
        const dwellings = dwellingsOf(record[layout.format === 'arcep' ? layout.category : layout.dwellings]!, layout);
        if (typeof dwellings === 'string') {
          await reject(line, id, dwellings);
          continue;
        }
        const projection = layout.projection >= 0 ? projectionOf(record[layout.projection]!) : undefined;
        if (projection === null) {
          await reject(line, id, `projection inconnue « ${record[layout.projection]!.trim()} » (attendu : RGF93/Lambert-93 ou WGS84)`);
          continue;
        }
        const point = toLonLat(record[layout.x]!, record[layout.y]!, projection);
        if (typeof point === 'string') {
          await reject(line, id, point);
          continue;
        }
        const outside = places.problem(insee, point[0], point[1]);
        if (outside) {
          await reject(line, id, outside);
          continue;
        }
        if (!seen.add(id)) {
          suspects.push({ line, id, insee, state, dwellings, lon: point[0], lat: point[1] });
          continue;
        }
        accept(id, insee, state, dwellings, point[0], point[1]);
        if (batch.ids.length >= batchSize) {
          const full = batch;
          batch = emptyBatch();
          await write(() => sink.buildings(full));
        }
      }
    }
  } catch (error) {
    // The transaction can only roll back once the connection is free of the write in flight.
    await inflight.catch(() => {});
    await sink.flush().catch(() => {});
    throw error;
  }
  if (batch.ids.length) {
    const full = batch;
    batch = emptyBatch();
    await write(() => sink.buildings(full));
  }
  await inflight;
  // A fingerprint seen twice is a duplicate id unless two different ids collided: ask the written rows.
  if (suspects.length) {
    const written = await sink.written([...new Set(suspects.map((s) => s.id))]);
    for (const s of suspects) {
      if (written.has(s.id)) {
        await reject(s.line, s.id, `identifiant d’immeuble « ${s.id} » en double (une ligne précédente porte le même)`);
      } else {
        written.add(s.id);
        accept(s.id, s.insee, s.state, s.dwellings, s.lon, s.lat);
      }
    }
    if (batch.ids.length) await write(() => sink.buildings(batch));
  }
  if (rejects.length) await write(() => sink.rejects(rejects));
  await inflight;
  await sink.flush();
  result.firstRejects.sort((a, b) => a.line - b.line);
  return result;
}
