import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { parse, CsvError } from 'csv-parse/sync';
import { foldText } from '../../platform/http/pagination.js';

/** A whole file refused (encoding, header): nothing of the import it belongs to is written. */
export class CsvFileRefused extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file} : ${reason}`);
    this.name = 'CsvFileRefused';
  }
}

export type CsvEncoding = 'utf-8' | 'iso-8859-1';

export interface CsvColumn<K extends string> {
  key: K;
  /** Accepted header spellings, compared without case, accents, spaces nor punctuation. */
  names: readonly string[];
  required: boolean;
}

export interface CsvRow<K extends string> {
  /** Line number in the file, the header being line 1. */
  line: number;
  values: Record<K, string>;
}

export interface CsvTable<K extends string> {
  encoding: CsvEncoding;
  rows: CsvRow<K>[];
}

const headerKey = (name: string) => foldText(name).replace(/[^a-z0-9]/g, '');

/**
 * Decodes a file that is UTF-8 or ISO-8859-1 (read as Windows-1252, what French spreadsheets write). A
 * file with null bytes (UTF-16, a spreadsheet) or mixing valid UTF-8 accents with Latin-1 bytes is
 * refused: it cannot be read faithfully.
 */
export function decodeText(file: string, data: Buffer): { text: string; encoding: CsvEncoding } {
  if (data.includes(0)) throw new CsvFileRefused(file, 'encodage illisible : le fichier contient des octets nuls (UTF-16 ou tableur ?). Enregistrez-le en CSV UTF-8 ou ISO-8859-1.');
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  if (isUtf8(body)) return { text: body.toString('utf8'), encoding: 'utf-8' };
  if (/[\xc2-\xf4][\x80-\xbf]/.test(body.toString('latin1'))) {
    throw new CsvFileRefused(file, 'encodage illisible : le fichier mêle de l’UTF-8 et un autre encodage. Enregistrez-le entièrement en UTF-8 ou en ISO-8859-1.');
  }
  return { text: iconv.decode(body, 'win1252'), encoding: 'iso-8859-1' };
}

/**
 * Reads a `;`-separated file with a header line into rows keyed by column; refuses the file when a
 * required column is missing or when a header names a forbidden column (`forbidden` gives the reason).
 */
export function readCsv<K extends string>(file: string, data: Buffer, columns: readonly CsvColumn<K>[], forbidden?: (header: string) => string | null): CsvTable<K> {
  const { text, encoding } = decodeText(file, data);
  const records = text.includes('"') ? parseQuoted(file, text) : splitPlain(text);
  const header = records[0]?.record;
  if (!header || header.length === 0) throw new CsvFileRefused(file, 'fichier vide : une ligne d’en-tête est attendue');
  if (header.length === 1 && /[,\t]/.test(header[0]!)) throw new CsvFileRefused(file, 'séparateur attendu : « ; » (point-virgule)');
  for (const name of header) {
    const reason = forbidden?.(name);
    if (reason) throw new CsvFileRefused(file, `colonne « ${name} » refusée : ${reason}`);
  }
  const keys = header.map(headerKey);
  const index = new Map<K, number>();
  const missing: string[] = [];
  for (const column of columns) {
    const at = keys.findIndex((k) => column.names.some((n) => headerKey(n) === k));
    if (at >= 0) index.set(column.key, at);
    else if (column.required) missing.push(column.names[0]!);
  }
  if (missing.length) throw new CsvFileRefused(file, `colonne${missing.length > 1 ? 's' : ''} manquante${missing.length > 1 ? 's' : ''} : ${missing.join(', ')}`);
  const slots = columns.map((c) => ({ key: c.key, at: index.get(c.key) ?? -1 }));
  const rows = records.slice(1).map(({ record, info }) => {
    const values = {} as Record<K, string>;
    for (const { key, at } of slots) values[key] = at < 0 ? '' : (record[at] ?? '').trim();
    return { line: info.lines, values };
  });
  return { encoding, rows };
}

type NumberedRecord = { record: string[]; info: { lines: number } };

/** Without any quote, a `;` file is lines of fields: splitting it is several times faster than a CSV parser. */
function splitPlain(text: string): NumberedRecord[] {
  const records: NumberedRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '') continue;
    records.push({ record: line.split(';').map((f) => f.trim()), info: { lines: i + 1 } });
  }
  return records;
}

function parseQuoted(file: string, text: string): NumberedRecord[] {
  try {
    return parse(text, { delimiter: ';', relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as NumberedRecord[];
  } catch (error) {
    if (error instanceof CsvError) throw new CsvFileRefused(file, `fichier CSV mal formé (${error.message})`);
    throw error;
  }
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** 'AAAA-MM-JJ' or 'JJ/MM/AAAA' (what French spreadsheets export) to 'AAAA-MM-JJ'; null when not a date. */
export function parseDate(value: string): string | null {
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  const iso = french ? `${french[3]}-${french[2]}-${french[1]}` : value;
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!parts) return null;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days ? iso : null;
}
