import type { FileFormat, StateCode } from './fibre.tables.js';

/** Why a whole file is refused: nothing of it is imported. */
export class FileRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FileRefused';
  }
}

/** The fields the importer needs, by the header names of each format (case-sensitive, as the formats define them). */
interface FormatSpec {
  format: FileFormat;
  label: string;
  separators: readonly string[];
  required: { id: string; insee: string; state: string; x: string; y: string; dwellings?: string; category?: string };
  projection?: string;
}

const FORMATS: readonly FormatSpec[] = [
  {
    format: 'ipe',
    label: 'IPE (Interop’Fibre)',
    separators: [';'],
    required: {
      id: 'IdentifiantImmeuble',
      insee: 'CodeInseeImmeuble',
      state: 'EtatImmeuble',
      dwellings: 'NombreLogementsAdresseIPE',
      x: 'CoordonneeImmeubleX',
      y: 'CoordonneeImmeubleY',
    },
    projection: 'TypeProjectionGeographique',
  },
  {
    format: 'arcep',
    label: 'immeubles ARCEP',
    // ARCEP publishes its open data comma-separated; the same columns re-saved by a French spreadsheet use ';'.
    separators: [',', ';'],
    required: { id: 'imb_id', insee: 'code_insee', state: 'imb_etat', category: 'catg_loc_imb', x: 'x', y: 'y' },
  },
];

const CANDIDATE_SEPARATORS = [';', ',', '\t', '|'];
const SEPARATOR_NAMES: Record<string, string> = { ';': '« ; »', ',': '« , »', '\t': 'tabulation', '|': '« | »' };

/** Where each needed field sits in a record of a given file. */
export interface Layout {
  format: FileFormat;
  separator: string;
  width: number;
  id: number;
  insee: number;
  state: number;
  x: number;
  y: number;
  dwellings: number;
  category: number;
  projection: number;
}

const unquote = (name: string) => name.trim().replace(/^"(.*)"$/, '$1').trim();

/**
 * Recognises the format and separator from the header line, or refuses the file saying why: an unknown
 * header, missing columns, or the right columns with the wrong separator.
 */
export function detectLayout(headerLine: string): Layout {
  const line = headerLine.replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (line.trim() === '') throw new FileRefused('Fichier vide ou sans ligne d’en-tête.');
  let best: { spec: FormatSpec; separator: string; names: string[]; found: number } | undefined;
  for (const separator of CANDIDATE_SEPARATORS) {
    const names = line.split(separator).map(unquote);
    for (const spec of FORMATS) {
      const found = Object.values(spec.required).filter((n) => names.includes(n)).length;
      if (!best || found > best.found) best = { spec, separator, names, found };
    }
  }
  const { spec, separator, names, found } = best!;
  const required = Object.values(spec.required);
  if (found < 2) {
    throw new FileRefused(
      `En-tête inconnu : ni un fichier IPE (colonnes ${Object.values(FORMATS[0]!.required).join(', ')}) ni un fichier d’immeubles ARCEP (colonnes ${Object.values(FORMATS[1]!.required).join(', ')}).`,
    );
  }
  if (found < required.length) {
    const missing = required.filter((n) => !names.includes(n));
    throw new FileRefused(`En-tête incomplet pour un fichier ${spec.label} : colonne${missing.length > 1 ? 's' : ''} obligatoire${missing.length > 1 ? 's' : ''} absente${missing.length > 1 ? 's' : ''} : ${missing.join(', ')}.`);
  }
  if (!spec.separators.includes(separator)) {
    throw new FileRefused(
      `Mauvais séparateur : le fichier est séparé par ${SEPARATOR_NAMES[separator]}, un fichier ${spec.label} l’est par ${spec.separators.map((s) => SEPARATOR_NAMES[s]).join(' ou ')}.`,
    );
  }
  const duplicated = required.find((n) => names.indexOf(n) !== names.lastIndexOf(n));
  if (duplicated) throw new FileRefused(`En-tête ambigu : la colonne ${duplicated} apparaît deux fois.`);
  const at = (name: string | undefined) => (name === undefined ? -1 : names.indexOf(name));
  return {
    format: spec.format,
    separator,
    width: names.length,
    id: at(spec.required.id),
    insee: at(spec.required.insee),
    state: at(spec.required.state),
    x: at(spec.required.x),
    y: at(spec.required.y),
    dwellings: at(spec.required.dwellings),
    category: at(spec.required.category),
    projection: at(spec.projection),
  };
}

/** Upper case, no accents, single spaces: "Déployé " and "DEPLOYE" are the same state. */
const fold = (value: string) => value.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/\s+/g, ' ').trim().toUpperCase();

const STATE_BY_VALUE = new Map<string, StateCode>([
  ['CIBLE', 'CI'],
  ['SIGNE', 'SI'],
  ['EN COURS DE DEPLOIEMENT', 'EC'],
  ['DEPLOYE', 'DE'],
  ['ABANDONNE', 'AB'],
  // ARCEP's "raccordable à la demande": connectable, on the subscriber's request.
  ['RACCORDABLE DEMANDE', 'DE'],
]);

export function stateOf(raw: string): StateCode | undefined {
  return STATE_BY_VALUE.get(raw) ?? STATE_BY_VALUE.get(fold(raw));
}

/**
 * ARCEP files give a size class, not a number of dwellings: each class counts as its middle (rounded),
 * so that dwelling totals stay estimates of the right order.
 */
const DWELLINGS_BY_CATEGORY = new Map<string, number>([
  ['INDIVIDUEL', 1],
  ['ENTRE 2 ET 11', 6],
  ['ENTRE 12 ET 35', 23],
  ['ENTRE 36 ET 99', 67],
  ['100 ET PLUS', 100],
]);

/** A number of dwellings, or the reason it cannot be one. */
export function dwellingsOf(raw: string, layout: Layout): number | string {
  if (layout.format === 'arcep') {
    const n = DWELLINGS_BY_CATEGORY.get(fold(raw));
    return n ?? `catégorie de logement inconnue « ${raw} »`;
  }
  const value = raw.trim();
  if (/^\d{1,6}$/.test(value)) return Number(value);
  if (/^-\d+$/.test(value)) return `nombre de logements négatif (${value})`;
  return value === '' ? 'nombre de logements manquant' : `nombre de logements illisible « ${value} »`;
}

export const STATE_VALUES_TEXT = 'CIBLE, SIGNE, EN COURS DE DEPLOIEMENT, DEPLOYE, ABANDONNE';
