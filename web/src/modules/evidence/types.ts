/** The evidence API's shapes as the console reads them (src/modules/evidence/evidence.routes.ts). */
/** Roles that see requisitions without a grant: those naming their account (see requisitions.ts on the server). */
export const OFFICER_ROLES = ['police_officer'] as const;

export type RequisitionStatus = 'open' | 'extracted' | 'handed_over' | 'closed';
export const REQUISITION_STATUSES: RequisitionStatus[] = ['open', 'extracted', 'handed_over', 'closed'];

export interface Coverage {
  cameraId: string;
  cameraCode: string;
  cameraName: string;
  /** Segments of the requested range still recorded. */
  segments: number;
  sizeBytes: number;
  from: string | null;
  to: string | null;
  /** What the index holds for the camera, whatever the range. */
  available: { from: string; to: string } | null;
}

export interface Requisition {
  id: string;
  number: string;
  siteId: string;
  siteName: string;
  memberId: string;
  authority: string;
  officerName: string;
  officerService: string;
  officerUserId: string | null;
  officerEmail: string | null;
  legalBasis: string;
  cameraIds: string[];
  from: string;
  to: string;
  /** YYYY-MM-DD */
  deadline: string;
  status: RequisitionStatus;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
  heldSegments: number;
  coverage: Coverage[];
}

export interface Segment {
  id: string;
  cameraId: string;
  cameraCode: string;
  cameraName: string;
  siteId: string;
  siteName: string;
  memberId: string;
  from: string;
  to: string;
  location: string;
  sizeBytes: number;
  sha256: string;
  source: 'api' | 'scan';
  registeredAt: string;
  deletedAt: string | null;
  /** Numbers of the requisitions holding the segment. */
  heldBy: string[];
}

export interface EvidencePackage {
  id: string;
  requisitionId: string;
  status: 'building' | 'ready' | 'failed';
  name: string;
  segmentCount: number;
  sizeBytes: number | null;
  manifestSha256: string | null;
  error: string | null;
  createdAt: string;
  createdBy: string;
  readyAt: string | null;
  handedTo: string | null;
  handoverMedia: string | null;
  handedOverAt: string | null;
  handedOverBy: string | null;
}

export interface Verification {
  ok: boolean;
  checked: string[];
  problems: string[];
}

export interface RegisterEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  actionLabel: string;
  reason: string;
  cameras: string[];
  from: string | null;
  to: string | null;
  siteName: string | null;
  requisition: string | null;
  media: string | null;
  service: string | null;
  hash: string;
}

export interface Authorisation {
  siteId: string;
  siteName: string;
  memberId: string;
  reference: string;
  issuedOn: string;
  expiresOn: string;
  retentionDays: number;
  expired: boolean;
  updatedAt: string;
  updatedBy: string;
}

/** A camera as GET /api/security/devices?kind=camera lists it. */
export interface Camera {
  id: string;
  code: string;
  name: string;
  siteId: string;
  siteName: string;
}
