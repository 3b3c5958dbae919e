import type { Generated } from 'kysely';

/**
 * Building states, stored with the GraceTHD codes (CI, SI, EC, DE, AB): short, stable and the same
 * whatever the spelling of the file that brought them.
 */
export const STATES = ['CI', 'SI', 'EC', 'DE', 'AB'] as const;
export type StateCode = (typeof STATES)[number];

/** How the IPE files spell each state; DE (DEPLOYE) is connectable. */
export const STATE_LABELS: Record<StateCode, string> = {
  CI: 'CIBLE',
  SI: 'SIGNE',
  EC: 'EN COURS DE DEPLOIEMENT',
  DE: 'DEPLOYE',
  AB: 'ABANDONNE',
};

export const FILE_FORMATS = ['ipe', 'arcep'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** accepted: the operator's snapshot for its date; superseded: replaced by a later file for the same date; refused: nothing imported. */
export type ImportStatus = 'accepted' | 'superseded' | 'refused';

export interface FibreOperatorsTable {
  code: string;
  name: string;
  created_at: Generated<Date>;
}

export interface FibreImportsTable {
  id: string;
  operator_code: string;
  snapshot_date: string;
  status: ImportStatus;
  format: FileFormat | null;
  file_name: string;
  content_hash: string | null;
  encoding: string | null;
  refusal: string | null;
  lines: number;
  accepted: number;
  rejected: number;
  dwellings: number;
  imported_at: Generated<Date>;
  imported_by: string;
}

export interface FibreImportRejectsTable {
  import_id: string;
  line: number;
  building_id: string | null;
  reason: string;
}

/** One row per building of a snapshot; kept compact because an operator's file can hold millions. */
export interface FibreBuildingsTable {
  import_id: string;
  building_id: string;
  insee: string;
  state: StateCode;
  dwellings: number;
  longitude: number;
  latitude: number;
}

/** Per snapshot, commune and state: what every progress figure is computed from. */
export interface FibreCommuneStatsTable {
  import_id: string;
  insee: string;
  state: StateCode;
  buildings: number;
  dwellings: number;
}

/** The communes the SMO's FTTH programme covers. */
export interface FibreProgrammeCommunesTable {
  insee: string;
}

declare module '../../platform/db/database.js' {
  interface Tables {
    fibre_operators: FibreOperatorsTable;
    fibre_imports: FibreImportsTable;
    fibre_import_rejects: FibreImportRejectsTable;
    fibre_buildings: FibreBuildingsTable;
    fibre_commune_stats: FibreCommuneStatsTable;
    fibre_programme_communes: FibreProgrammeCommunesTable;
  }
}
