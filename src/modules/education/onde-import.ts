import { readCsv, type CsvEncoding } from './csv-files.js';
import { LEVELS, STAFF_ROLES, type Level, type StaffRole } from './education.tables.js';

/** The files of one school's ONDE extraction; pupils is required, the others optional. */
export interface OndeFiles {
  pupils: Buffer;
  teachers?: Buffer | undefined;
  guardians?: Buffer | undefined;
}

export const ONDE_FILE_NAMES = { pupils: 'eleves.csv', teachers: 'enseignants.csv', guardians: 'responsables.csv' } as const;

export interface OndeReject {
  file: string;
  line: number;
  reason: string;
}

export interface OndePupil {
  schoolRef: string;
  firstName: string;
  lastInitial: string;
  level: Level;
  className: string;
  guardians: number | null;
}

export interface OndeStaff {
  schoolRef: string;
  firstName: string;
  lastName: string;
  role: StaffRole;
  email: string | null;
}

export interface OndeExtraction {
  pupils: OndePupil[];
  staff: OndeStaff[];
  rejects: OndeReject[];
  encodings: Record<string, CsvEncoding>;
  lines: number;
}

/** An INE (identifiant national élève): 10 digits and a letter, or 9 digits and two letters. */
export const looksLikeIne = (value: string) => /^(\d{10}[A-Z]|\d{9}[A-Z]{2})$/i.test(value.replace(/\s/g, ''));
const INE_HEADER = /(^|[^a-z])(ine|identifiant national|numero national|n° national)([^a-z]|$)/i;
const refuseIne = (header: string) =>
  INE_HEADER.test(header) ? 'le numéro national d’élève (INE) n’est pas collecté : retirez cette colonne de l’extraction' : null;

const LEVEL_ALIASES: Record<string, Level> = Object.fromEntries([
  ...LEVELS.map((l) => [l.toLowerCase(), l]),
  ['6eme', '6e'], ['5eme', '5e'], ['4eme', '4e'], ['3eme', '3e'], ['6ème', '6e'], ['5ème', '5e'], ['4ème', '4e'], ['3ème', '3e'],
]);
export const parseLevel = (value: string): Level | undefined => LEVEL_ALIASES[value.trim().toLowerCase()];

const PUPIL_COLUMNS = [
  { key: 'ref', names: ['Identifiant élève', 'Identifiant', 'Id élève'], required: true },
  { key: 'first', names: ['Prénom', 'Prénom élève'], required: true },
  { key: 'last', names: ['Nom', 'Nom élève', 'Initiale du nom'], required: true },
  { key: 'level', names: ['Niveau'], required: true },
  { key: 'class', names: ['Classe', 'Libellé classe'], required: true },
] as const;
const STAFF_COLUMNS = [
  { key: 'ref', names: ['Identifiant', 'Identifiant personnel'], required: true },
  { key: 'first', names: ['Prénom'], required: true },
  { key: 'last', names: ['Nom'], required: true },
  { key: 'role', names: ['Fonction'], required: true },
  { key: 'email', names: ['Courriel', 'Email', 'Mél'], required: false },
] as const;
const GUARDIAN_COLUMNS = [
  { key: 'pupil', names: ['Identifiant élève'], required: true },
  { key: 'link', names: ['Lien', 'Lien de parenté'], required: false },
] as const;

/** Teaching functions of the ONDE "Fonction" column; any other function is school staff (ATSEM, AESH…). */
const TEACHING = /^(enseignant|enseignante|professeur|directeur|directrice|adjoint|adjointe|pe|titulaire|remplacant|remplaçant)/i;

/**
 * Reads one school's ONDE extraction. A file that cannot be read (encoding, missing column, an INE
 * column) throws CsvFileRefused and nothing is imported; a bad line is rejected with its number and reason.
 */
export function readOndeExtraction(files: OndeFiles): OndeExtraction {
  const rejects: OndeReject[] = [];
  const encodings: Record<string, CsvEncoding> = {};
  const pupilsFile = readCsv(ONDE_FILE_NAMES.pupils, files.pupils, PUPIL_COLUMNS, refuseIne);
  const teachersFile = files.teachers ? readCsv(ONDE_FILE_NAMES.teachers, files.teachers, STAFF_COLUMNS, refuseIne) : undefined;
  const guardiansFile = files.guardians ? readCsv(ONDE_FILE_NAMES.guardians, files.guardians, GUARDIAN_COLUMNS, refuseIne) : undefined;
  encodings[ONDE_FILE_NAMES.pupils] = pupilsFile.encoding;
  if (teachersFile) encodings[ONDE_FILE_NAMES.teachers] = teachersFile.encoding;
  if (guardiansFile) encodings[ONDE_FILE_NAMES.guardians] = guardiansFile.encoding;

  const pupils = new Map<string, OndePupil>();
  for (const { line, values } of pupilsFile.rows) {
    const reject = (reason: string) => rejects.push({ file: ONDE_FILE_NAMES.pupils, line, reason });
    const level = parseLevel(values.level);
    if (!values.ref) reject('identifiant élève manquant');
    else if (looksLikeIne(values.ref)) reject('cet identifiant ressemble à un INE, qui n’est pas collecté : utilisez l’identifiant propre à l’école');
    else if (!/^[\w.-]{1,40}$/.test(values.ref)) reject(`identifiant élève invalide « ${values.ref} » (lettres, chiffres, « . », « - », « _ », 40 caractères au plus)`);
    else if (pupils.has(values.ref)) reject(`identifiant élève en double : ${values.ref}`);
    else if (!values.first) reject('prénom manquant');
    else if (!/\p{L}/u.test(values.last.charAt(0))) reject('nom manquant (seule son initiale est conservée)');
    else if (!level) reject(`niveau inconnu « ${values.level} » (attendu : ${LEVELS.join(', ')})`);
    else if (!values.class) reject('classe manquante');
    else {
      pupils.set(values.ref, {
        schoolRef: values.ref,
        firstName: values.first.slice(0, 60),
        lastInitial: values.last.charAt(0).toUpperCase(),
        level,
        className: values.class.slice(0, 60),
        guardians: guardiansFile ? 0 : null,
      });
    }
  }

  const staff = new Map<string, OndeStaff>();
  for (const { line, values } of teachersFile?.rows ?? []) {
    const reject = (reason: string) => rejects.push({ file: ONDE_FILE_NAMES.teachers, line, reason });
    if (!values.ref) reject('identifiant manquant');
    else if (staff.has(values.ref)) reject(`identifiant en double : ${values.ref}`);
    else if (!values.first || !values.last) reject('prénom ou nom manquant');
    else if (values.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) reject(`courriel invalide « ${values.email} »`);
    else {
      const role: StaffRole = TEACHING.test(values.role) ? STAFF_ROLES[0] : STAFF_ROLES[1];
      staff.set(values.ref, { schoolRef: values.ref, firstName: values.first.slice(0, 60), lastName: values.last.slice(0, 60), role, email: values.email || null });
    }
  }

  for (const { line, values } of guardiansFile?.rows ?? []) {
    const pupil = pupils.get(values.pupil);
    if (!pupil) rejects.push({ file: ONDE_FILE_NAMES.guardians, line, reason: `élève inconnu dans ${ONDE_FILE_NAMES.pupils} : « ${values.pupil} »` });
    else pupil.guardians = (pupil.guardians ?? 0) + 1;
  }

  const lines = pupilsFile.rows.length + (teachersFile?.rows.length ?? 0) + (guardiansFile?.rows.length ?? 0);
  return { pupils: [...pupils.values()], staff: [...staff.values()], rejects, encodings, lines };
}
