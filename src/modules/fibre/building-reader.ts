import { isAscii } from 'node:buffer';
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

// Strings under V8's large-object size (128 KB) are made several times faster than larger ones.
const BLOCK = 64 * 1024;

/**
 * The decoded file as blocks of whole lines, each with the number of its first line. A block ends at a
 * line end; a quoted value spanning two blocks is handled by eachRecord.
 */
async function* lineBlocks(decoded: AsyncGenerator<Buffer>): AsyncGenerator<{ text: string; firstLine: number; last: boolean }> {
  let pending: Buffer = Buffer.alloc(0);
  let line = 1;
  // Plain ASCII (most files) is copied as Latin-1, which skips UTF-8 decoding and gives the same text.
  const text = (b: Buffer) => b.toString(isAscii(b) ? 'latin1' : 'utf8');
  for await (const chunk of decoded) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= BLOCK) {
      let end = pending.lastIndexOf(0x0a, BLOCK - 1);
      if (end < 0) end = pending.indexOf(0x0a, BLOCK);
      if (end < 0) break;
      const block = text(pending.subarray(0, end + 1));
      pending = pending.subarray(end + 1);
      yield { text: block, firstLine: line, last: false };
      line += countLines(block);
    }
    // The rest is kept apart from the chunk it came in, which the source may reuse.
    pending = Buffer.from(pending);
  }
  yield { text: text(pending), firstLine: line, last: true };
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** The fields of the current record; one instance reused for every record, so that rows allocate nothing. */
interface Fields {
  count: number;
  get(i: number): string;
}

/** A line split lazily: only the fields asked for become strings. */
class LineFields implements Fields {
  count = 0;
  private line = '';
  private ends = new Int32Array(64);

  constructor(private readonly separator: string) {}

  set(line: string): this {
    this.line = line;
    let n = 0;
    for (let i = line.indexOf(this.separator); i >= 0; i = line.indexOf(this.separator, i + 1)) {
      if (n + 1 >= this.ends.length) this.ends = Int32Array.from({ length: this.ends.length * 2 }, (_, k) => this.ends[k] ?? 0);
      this.ends[n++] = i;
    }
    this.ends[n] = line.length;
    this.count = n + 1;
    return this;
  }

  get(i: number): string {
    return this.line.slice(i === 0 ? 0 : this.ends[i - 1]! + 1, this.ends[i]);
  }
}

class ArrayFields implements Fields {
  count = 0;
  private values: string[] = [];

  set(values: string[]): this {
    this.values = values;
    this.count = values.length;
    return this;
  }

  get(i: number): string {
    return this.values[i]!;
  }
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
 * Visits the records of a block of lines with their line numbers. A block without any quote, whose lines end
 * with \n or \r\n, reads the same by splitting at line ends and separators, which is several times faster
 * than the general parser (see docs/fibre.md, benchmark); any other block goes through csv-parse. Returns false,
 * having visited nothing, when the block ends inside a quoted value: the caller joins it to the next block.
 */
function eachRecord(text: string, firstLine: number, separator: string, last: boolean, visit: (line: number, fields: Fields) => void): boolean {
  if (!text.includes('"') && (!text.includes('\r') || !/\r(?!\n)/.test(text))) {
    const fields = new LineFields(separator);
    let line = firstLine;
    for (let start = 0; start < text.length; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start) visit(line, fields.set(text.slice(start, stop)));
      start = end + 1;
    }
    return true;
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { ...PARSE_OPTIONS, delimiter: separator }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED' && !last) return false;
    if (error instanceof CsvError) {
      const at = firstLine + ((error as CsvError & { lines?: number }).lines ?? 1) - 1;
      const what = error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'guillemet ouvert jamais fermé' : error.code === 'CSV_MAX_RECORD_SIZE' ? 'ligne de plus de 64 Ko (guillemet non fermé ?)' : error.message;
      throw new FileRefused(`Fichier CSV mal formé à la ligne ${at} : ${what}.`);
    }
    throw error;
  }
  const fields = new ArrayFields();
  for (const { record, info } of records) visit(firstLine + info.lines - 1, fields.set(record));
  return true;
}

/**
 * Streams a building file (IPE or ARCEP) through validation into the sink in batches, in bounded memory:
 * a block of lines, a batch of rows, a batch of rejects and one fingerprint per building id. Refuses the whole
 * file (FileRefused) for an unreadable encoding, an unknown header or separator, or broken CSV quoting.
 */
export async function readBuildingFile(source: AsyncIterable<Buffer | string>, places: PlaceChecker, sink: BuildingSink, options: ReadOptions): Promise<ReadResult> {
  const batchSize = options.batchSize ?? 5000;
  const keepRejects = options.keepRejects ?? 100;
  const facts: Partial<FileFacts> = {};
  const blocks = lineBlocks(decodeToUtf8(source, facts, options.maxBytes));
  let layout: Layout | undefined;
  const result: ReadResult = { layout: undefined as unknown as Layout, facts: facts as FileFacts, lines: 0, accepted: 0, rejected: 0, dwellings: 0, byCommune: new Map(), firstRejects: [] };
  let batch = emptyBatch();
  let rejects: Reject[] = [];
  const seen = new FingerprintSet();
  const suspects: { line: number; id: string; insee: string; state: StateCode; dwellings: number; lon: number; lat: number }[] = [];

  // One write in flight while the next block is parsed: the database works while JavaScript parses.
  let inflight: Promise<void> = Promise.resolve();
  const write = async (job: () => Promise<void>) => {
    await inflight;
    inflight = job();
    inflight.catch(() => {});
  };
  const flushFull = async (force: boolean) => {
    if (batch.ids.length && (force || batch.ids.length >= batchSize)) {
      const full = batch;
      batch = emptyBatch();
      await write(() => sink.buildings(full));
    }
    if (rejects.length && (force || rejects.length >= 1000)) {
      const full = rejects;
      rejects = [];
      await write(() => sink.rejects(full));
    }
  };
  const reject = (line: number, buildingId: string | null, reason: string) => {
    result.rejected += 1;
    const r = { line, buildingId, reason };
    if (result.firstRejects.length < keepRejects) result.firstRejects.push(r);
    rejects.push(r);
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
  const visit = (line: number, record: Fields) => {
    const l = layout!;
    result.lines += 1;
    if (record.count !== l.width) {
      let extraEmpty = record.count > l.width;
      for (let i = l.width; extraEmpty && i < record.count; i++) extraEmpty = record.get(i) === '';
      if (!extraEmpty) return reject(line, null, `${record.count} champs au lieu de ${l.width} (séparateur « ${l.separator} » dans une valeur ?)`);
    }
    const id = record.get(l.id).trim();
    if (id === '') return reject(line, null, 'identifiant d’immeuble manquant');
    if (id.length > 64) return reject(line, null, 'identifiant d’immeuble de plus de 64 caractères');
    const insee = record.get(l.insee).trim();
    if (!places.departementOf(insee)) return reject(line, id, `code INSEE inconnu « ${insee} » (communes des Yvelines et des Hauts-de-Seine)`);
    const rawState = record.get(l.state);
    const state = stateOf(rawState);
    if (!state) return reject(line, id, `état inconnu « ${rawState.trim()} » (attendu : ${STATE_VALUES_TEXT})`);
    const dwellings = dwellingsOf(record.get(l.format === 'arcep' ? l.category : l.dwellings), l);
    if (typeof dwellings === 'string') return reject(line, id, dwellings);
    const projection = l.projection >= 0 ? projectionOf(record.get(l.projection)) : undefined;
    if (projection === null) return reject(line, id, `projection inconnue « ${record.get(l.projection).trim()} » (attendu : RGF93/Lambert-93 ou WGS84)`);
    const point = toLonLat(record.get(l.x), record.get(l.y), projection);
    if (typeof point === 'string') return reject(line, id, point);
    const outside = places.problem(insee, point[0], point[1]);
    if (outside) return reject(line, id, outside);
    if (!seen.add(id)) {
      suspects.push({ line, id, insee, state, dwellings, lon: point[0], lat: point[1] });
      return;
    }
    accept(id, insee, state, dwellings, point[0], point[1]);
  };

  let carry = '';
  let carryLine = 1;
  try {
    for await (const block of blocks) {
      let text = carry + block.text;
      let firstLine = carry ? carryLine : block.firstLine;
      if (!layout) {
        // The header: its line gives the format and the separator, or the reason to refuse the file.
        const end = text.indexOf('\n');
        layout = result.layout = detectLayout(end < 0 ? text : text.slice(0, end));
        text = end < 0 ? '' : text.slice(end + 1);
        firstLine += 1;
      }
      if (!eachRecord(text, firstLine, layout.separator, block.last, visit)) {
        [carry, carryLine] = [text, firstLine];
        if (carry.length > HEADER_MAX + BLOCK * 4) throw new FileRefused(`Fichier CSV mal formé à partir de la ligne ${firstLine} : guillemet ouvert jamais fermé.`);
        continue;
      }
      carry = '';
      await flushFull(false);
    }
  } catch (error) {
    // The transaction can only roll back once the connection is free of the write in flight.
    await inflight.catch(() => {});
    await sink.flush().catch(() => {});
    throw error;
  }
  await flushFull(true);
  await inflight;
  // A fingerprint seen twice is a duplicate id unless two different ids collided: ask the written rows.
  if (suspects.length) {
    const written = await sink.written([...new Set(suspects.map((s) => s.id))]);
    for (const s of suspects) {
      if (written.has(s.id)) {
        reject(s.line, s.id, `identifiant d’immeuble « ${s.id} » en double (une ligne précédente porte le même)`);
      } else {
        written.add(s.id);
        accept(s.id, s.insee, s.state, s.dwellings, s.lon, s.lat);
      }
    }
    await flushFull(true);
  }
  await inflight;
  await sink.flush();
  result.firstRejects.sort((a, b) => a.line - b.line);
  return result;
}
