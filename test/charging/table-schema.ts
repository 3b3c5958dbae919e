import { parse } from 'csv-parse/sync';

/** The parts of a Frictionless Table Schema (v1) the IRVE schemas use. */
export interface TableSchema {
  fields: { name: string; type: string; format?: string; constraints?: { required?: boolean; pattern?: string; enum?: string[]; minimum?: number } }[];
  missingValues?: string[];
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

function validDate(text: string) {
  return DATE.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/** Checks one value as read from a CSV cell (text) or a JSON property (typed); answers the problems found. */
function checkValue(field: TableSchema['fields'][number], value: unknown, fromCsv: boolean, missing: string[]): string[] {
  const c = field.constraints ?? {};
  if (value === null || value === undefined || (typeof value === 'string' && missing.includes(value))) return c.required ? [`${field.name}: required`] : [];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const problems: string[] = [];
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${field.name}: not a string`);
      if (field.format === 'email' && !EMAIL.test(text)) problems.push(`${field.name}: not an e-mail`);
      break;
    case 'integer':
      if (fromCsv ? !/^-?\d+$/.test(text) : !Number.isInteger(value)) problems.push(`${field.name}: not an integer`);
      break;
    case 'number':
      if (fromCsv ? !/^-?\d+(\.\d+)?$/.test(text) : typeof value !== 'number') problems.push(`${field.name}: not a number`);
      break;
    case 'boolean':
      if (fromCsv ? !['true', 'false'].includes(text) : typeof value !== 'boolean') problems.push(`${field.name}: not a boolean`);
      break;
    case 'date':
      if (typeof value !== 'string' || !validDate(value)) problems.push(`${field.name}: not a date`);
      break;
    case 'datetime':
      if (typeof value !== 'string' || !DATETIME.test(value) || Number.isNaN(Date.parse(value))) problems.push(`${field.name}: not a datetime`);
      break;
    case 'geopoint': {
      let point: unknown = value;
      try {
        if (typeof value === 'string') point = JSON.parse(value);
      } catch {
        point = undefined;
      }
      const xy = Array.isArray(point) && point.length === 2 && point.every((n) => typeof n === 'number') ? (point as [number, number]) : undefined;
      const ok = xy !== undefined && Math.abs(xy[0]) <= 180 && Math.abs(xy[1]) <= 90;
      if (!ok) problems.push(`${field.name}: not a [lon, lat] point`);
      break;
    }
    default:
      problems.push(`${field.name}: type ${field.type} not checked by this helper`);
  }
  if (c.enum && !c.enum.includes(text)) problems.push(`${field.name}: "${text}" not in the enumeration`);
  // Table Schema patterns match the whole value.
  if (c.pattern && !new RegExp(`^(?:${c.pattern})$`, 'u').test(text)) problems.push(`${field.name}: "${text}" does not match ${c.pattern}`);
  if (c.minimum !== undefined && Number(text) < c.minimum) problems.push(`${field.name}: below ${c.minimum}`);
  return problems;
}

/** Every problem of a CSV file against the schema, as "line N: field: reason"; the header must list the fields in order. */
export function csvProblems(schema: TableSchema, csv: string): string[] {
  const [header, ...rows] = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: false }) as string[][];
  const problems: string[] = [];
  const names = schema.fields.map((f) => f.name);
  if (JSON.stringify(header) !== JSON.stringify(names)) problems.push(`header: ${header!.join(',')} is not ${names.join(',')}`);
  rows.forEach((row, i) => {
    schema.fields.forEach((field, j) => problems.push(...checkValue(field, row[j], true, schema.missingValues ?? ['']).map((p) => `line ${i + 2}: ${p}`)));
  });
  return problems;
}

/** Every problem of JSON rows (objects keyed by field name) against the schema. */
export function jsonProblems(schema: TableSchema, rows: Record<string, unknown>[]): string[] {
  return rows.flatMap((row, i) => {
    const extra = Object.keys(row).filter((k) => !schema.fields.some((f) => f.name === k)).map((k) => `row ${i}: unknown field ${k}`);
    return [...extra, ...schema.fields.flatMap((field) => checkValue(field, row[field.name], false, schema.missingValues ?? ['']).map((p) => `row ${i}: ${p}`))];
  });
}
