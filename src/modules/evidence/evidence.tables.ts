import type { Generated } from 'kysely';

/** The law's ceiling on video retention (Code de la sécurité intérieure, L252-5): one month. */
export const MAX_RETENTION_DAYS = 30;

export const REQUISITION_STATUSES = ['open', 'extracted', 'handed_over', 'closed'] as const;
export type RequisitionStatus = (typeof REQUISITION_STATUSES)[number];

export const PACKAGE_STATUSES = ['building', 'ready', 'failed'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

/** A site's prefectoral authorisation of video protection; its retention applies to every camera of the site. */
export interface EvidenceAuthorisationsTable {
  site_id: string;
  member_id: string;
  reference: string;
  issued_on: string;
  expires_on: string;
  retention_days: number;
  updated_at: Date;
  updated_by: string;
}

export interface EvidenceSegmentsTable {
  id: string;
  camera_id: string;
  site_id: string;
  member_id: string;
  starts_at: Date;
  ends_at: Date;
  /** The file's path relative to RECORDINGS_DIR, with forward slashes. */
  location: string;
  size_bytes: number;
  sha256: string;
  source: 'api' | 'scan';
  registered_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface EvidenceRequisitionsTable {
  id: string;
  number: string;
  site_id: string;
  member_id: string;
  authority: string;
  officer_name: string;
  officer_service: string;
  /** The requesting officer's account, when they have one: they alone may download the packages. */
  officer_user_id: string | null;
  legal_basis: string;
  camera_ids: string[];
  starts_at: Date;
  ends_at: Date;
  deadline: string;
  status: RequisitionStatus;
  created_at: Generated<Date>;
  created_by: string;
  closed_at: Date | null;
}

/** A segment is held while one active hold names it; overlapping requisitions share the segment. */
export interface EvidenceHoldsTable {
  requisition_id: string;
  segment_id: string;
  placed_at: Generated<Date>;
  released_at: Date | null;
}

export interface EvidencePackagesTable {
  id: string;
  requisition_id: string;
  status: PackageStatus;
  /** Folder name under EVIDENCE_DIR/packages once complete. */
  name: string;
  segment_count: number;
  size_bytes: number | null;
  manifest_sha256: string | null;
  error: string | null;
  created_at: Generated<Date>;
  created_by: string;
  ready_at: Date | null;
  handed_to: string | null;
  handover_media: string | null;
  handed_over_at: Date | null;
  handed_over_by: string | null;
}

declare module '../../platform/db/database.js' {
  interface Tables {
    evidence_authorisations: EvidenceAuthorisationsTable;
    evidence_segments: EvidenceSegmentsTable;
    evidence_requisitions: EvidenceRequisitionsTable;
    evidence_holds: EvidenceHoldsTable;
    evidence_packages: EvidencePackagesTable;
  }
}
