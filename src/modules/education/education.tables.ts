import type { Generated } from 'kysely';

/** School levels in the order pupils move through them; the last of each cycle leaves the school. */
export const LEVELS = ['CP', 'CE1', 'CE2', 'CM1', 'CM2', '6e', '5e', '4e', '3e'] as const;
export type Level = (typeof LEVELS)[number];
/** Last level of an école élémentaire and of a collège: pupils there leave at the rollover. */
export const LEAVING_LEVELS: ReadonlySet<Level> = new Set(['CM2', '3e']);

/** Asset types; purchasing uses them as catalogue categories of the e-education and school-furniture lots. */
export const ASSET_TYPES = ['tablet', 'pc', 'interactive_projector', 'microphone', 'robot', 'web_tv_kit', 'web_radio_kit', 'mobile_class_trolley', 'wifi_access_point', 'furniture'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];
export const ASSET_STATES = ['in_stock', 'assigned', 'under_repair', 'lost_or_stolen', 'retired'] as const;
export type AssetState = (typeof ASSET_STATES)[number];
export const HOLDER_KINDS = ['pupil', 'teacher', 'class', 'room'] as const;
export type HolderKind = (typeof HOLDER_KINDS)[number];
export const STAFF_ROLES = ['teacher', 'staff'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const LICENCE_PROFILES = ['pupil', 'parent', 'teacher', 'staff'] as const;
export type LicenceProfile = (typeof LICENCE_PROFILES)[number];
/** What happens to a CM2 pupil's tablet at the rollover: collected by the school, or kept for collège. */
export const LEAVER_RULES = ['return', 'keep'] as const;
export type LeaverRule = (typeof LEAVER_RULES)[number];
export const REPAIR_KINDS = ['broken', 'lost_or_stolen'] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];
export const REPAIR_STATUSES = ['open', 'in_progress', 'closed'] as const;
export type RepairStatus = (typeof REPAIR_STATUSES)[number];
export const REPAIR_OUTCOMES = ['repaired', 'replaced', 'not_found'] as const;
export type RepairOutcome = (typeof REPAIR_OUTCOMES)[number];

export interface EduSchoolYearsTable {
  id: string;
  start_date: string;
  end_date: string;
}

/** A territory school site enrolled in the education module; its id is the site's id. */
export interface EduSchoolsTable {
  id: string;
  member_id: string;
  uai: string;
  name: string;
  created_at: Generated<Date>;
}

/** Which school_staff accounts act for which schools. */
export interface EduStaffAccessTable {
  user_id: string;
  school_id: string;
}

export interface EduClassesTable {
  id: string;
  school_id: string;
  school_year: string;
  name: string;
  levels: string[];
  /** The class of the previous year it came from at a rollover. */
  previous_class_id: string | null;
}

export interface EduPupilsTable {
  id: string;
  school_id: string;
  /** The school's own identifier of the pupil (never the national INE). */
  school_ref: string;
  first_name: string;
  last_initial: string;
  level: string;
  class_id: string | null;
  guardians: number;
  left_at: string | null;
  created_at: Generated<Date>;
}

export interface EduStaffTable {
  id: string;
  school_id: string;
  school_ref: string;
  first_name: string;
  last_name: string;
  role: StaffRole;
  email: string | null;
}

export interface EduAssetsTable {
  id: string;
  member_id: string;
  school_id: string | null;
  type: AssetType;
  serial: string;
  label: string;
  supplier: string | null;
  order_ref: string | null;
  purchase_date: string | null;
  warranty_end: string | null;
  /** Euros excluding VAT, numeric kept as a string. */
  unit_price: string | null;
  state: AssetState;
  room: string | null;
  /** (deliveryId, orderLineId, unit index) of the purchasing delivery that created it. */
  delivery_key: string | null;
  created_at: Generated<Date>;
}

export interface EduAssetHistoryTable {
  id: Generated<number>;
  asset_id: string;
  at: Generated<Date>;
  actor: string;
  event: string;
  from_state: string | null;
  to_state: string;
  detail: string;
}

export interface EduAssignmentsTable {
  id: string;
  asset_id: string;
  school_id: string;
  holder_kind: HolderKind;
  pupil_id: string | null;
  staff_id: string | null;
  class_id: string | null;
  room: string | null;
  loan: boolean;
  assigned_at: Generated<Date>;
  returned_at: Date | null;
  end_reason: string | null;
}

export interface EduRepairsTable {
  id: string;
  asset_id: string;
  member_id: string;
  school_id: string | null;
  kind: RepairKind;
  description: string;
  status: RepairStatus;
  outcome: RepairOutcome | null;
  /** The assignment the device was taken from, given back on closing. */
  holder_assignment_id: string | null;
  loan_asset_id: string | null;
  reported_by: string;
  reported_at: Generated<Date>;
  closed_at: Date | null;
}

export interface EduRolloversTable {
  id: string;
  school_id: string;
  from_year: string;
  to_year: string;
  rule: LeaverRule;
  summary: unknown;
  done_at: Generated<Date>;
  done_by: string;
}

/**
 * What a school has to do after a rollover: collect_tablet (a leaver's tablet to take back, done once
 * its assignment is closed), tablet_leaves (a leaver keeps the tablet: for information), place_pupil (a
 * pupil whose class has no successor, done once placed), reassign_class_equipment (equipment of a class
 * that ended, done once returned).
 */
export const CHECKLIST_ITEMS = ['collect_tablet', 'tablet_leaves', 'place_pupil', 'reassign_class_equipment'] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

export interface EduChecklistTable {
  rollover_id: string;
  item: ChecklistItem;
  asset_id: string | null;
  assignment_id: string | null;
  pupil_id: string | null;
  label: string;
}

export interface EduLicencePoolsTable {
  school_id: string;
  profile: LicenceProfile;
  purchased: number;
  allocated: number;
}

export interface EduProgrammesTable {
  id: string;
  member_id: string;
  name: string;
  start_year: number;
  leaver_rule: LeaverRule;
  target_devices: number;
  target_teachers: number;
  target_projectors: number;
  target_licences: number;
}

export interface EduProgrammeYearsTable {
  programme_id: string;
  year: number;
  budget: string;
}

export interface EduProgrammeWavesTable {
  programme_id: string;
  school_id: string;
  wave: number;
  planned_date: string;
}

export interface EduDeliveriesTable {
  delivery_id: string;
  member_id: string | null;
  status: 'accepted' | 'rejected';
  reason: string | null;
  assets: number;
  received_at: Generated<Date>;
}


declare module '../../platform/db/database.js' {
  interface Tables {
    edu_school_years: EduSchoolYearsTable;
    edu_schools: EduSchoolsTable;
    edu_staff_access: EduStaffAccessTable;
    edu_classes: EduClassesTable;
    edu_pupils: EduPupilsTable;
    edu_staff: EduStaffTable;
    edu_assets: EduAssetsTable;
    edu_asset_history: EduAssetHistoryTable;
    edu_assignments: EduAssignmentsTable;
    edu_repairs: EduRepairsTable;
    edu_rollovers: EduRolloversTable;
    edu_checklist: EduChecklistTable;
    edu_licence_pools: EduLicencePoolsTable;
    edu_programmes: EduProgrammesTable;
    edu_programme_years: EduProgrammeYearsTable;
    edu_programme_waves: EduProgrammeWavesTable;
    edu_deliveries: EduDeliveriesTable;
  }
}
