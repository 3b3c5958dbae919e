/** The API's shapes as the console reads them (see /api/openapi.json). */
export type Permissions = Partial<
  Record<
    | 'member'
    | 'commune'
    | 'site'
    | 'user'
    | 'token'
    | 'audit'
    | 'fibre'
    | 'fibre_import'
    | 'purchasing_agreement'
    | 'purchasing_catalogue'
    | 'purchasing_convention'
    | 'purchasing_order'
    | 'purchasing_approval'
    | 'purchasing_validation'
    | 'purchasing_override'
    | 'purchasing_budget'
    | 'education_school' | 'education_pupil' | 'education_asset' | 'education_repair' | 'education_licence' | 'education_programme'
    | 'charging_station' | 'charging_session' | 'charging_badge' | 'charging_command'
    | 'security_device' | 'security_alarm' | 'security_rule' | 'security_dead_letter' | 'security_centre' | 'security_study'
    | 'evidence_recording' | 'evidence_authorisation' | 'evidence_requisition' | 'evidence_register',
    string[]
  >
>;

export interface Session {
  user: { id: string; email: string; displayName: string; role: string; memberId: string };
  member: { id: string; name: string; kind: string };
  roleLabel: string;
  permissions: Permissions;
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface LiveEvent {
  id: string;
  seq: number;
  topic: string;
  at: string;
  memberId: string | null;
  data: unknown;
}
