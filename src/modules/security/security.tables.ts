import type { Generated } from 'kysely';

export const DEVICE_KINDS = ['camera', 'reader', 'door', 'intrusion_sensor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Camera models (fixed, PTZ, thermal) and reader models (badge, biometric); doors and sensors have none. */
export const DEVICE_MODELS: Record<DeviceKind, readonly string[]> = {
  camera: ['fixed', 'ptz', 'thermal'],
  reader: ['badge', 'biometric'],
  door: [],
  intrusion_sensor: [],
};

export const DEVICE_STATUSES = ['unknown', 'online', 'offline', 'tampered'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** What a camera's analytics serve; temperature measurement exists in the list only to be refused by name. */
export const CAMERA_PURPOSES = ['video_protection', 'intrusion_detection', 'temperature_measurement'] as const;
export type CameraPurpose = (typeof CAMERA_PURPOSES)[number];

export const ZONES = ['entrance', 'corridor', 'perimeter', 'car_park', 'hall', 'office', 'technical_room', 'classroom', 'playground', 'canteen', 'other'] as const;
export type Zone = (typeof ZONES)[number];
/** Zones of a school that the law keeps out of video protection while the school is open. */
export const SCHOOL_HOURS_EXCLUDED_ZONES: readonly Zone[] = ['classroom', 'playground', 'canteen'];

export const ALARM_STATES = ['new', 'taken', 'verification', 'qualified', 'closed'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];
/** States in which an alarm still gathers repeats of its events. */
export const OPEN_STATES: readonly AlarmState[] = ['new', 'taken', 'verification'];

export const QUALIFICATIONS = ['false_alarm', 'technical_fault', 'handled_on_site', 'police_called'] as const;
export type Qualification = (typeof QUALIFICATIONS)[number];

export interface SecurityCentresTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
}

/** A centre covers sites one by one and every site of some members. */
export interface SecurityCentreSitesTable {
  centre_id: string;
  site_id: string;
}
export interface SecurityCentreMembersTable {
  centre_id: string;
  member_id: string;
}
/** The one centre an operator serves. */
export interface SecurityOperatorsTable {
  user_id: string;
  centre_id: string;
}

export interface SecurityDevicesTable {
  id: string;
  code: string;
  name: string;
  kind: DeviceKind;
  model: string | null;
  site_id: string;
  member_id: string;
  zone: Zone | null;
  zone_restricted: boolean;
  purposes: string[];
  stream_ref: string | null;
  frigate_camera: string | null;
  door_id: string | null;
  install_date: string | null;
  maintainer: string | null;
  status: Generated<DeviceStatus>;
  status_at: Date | null;
  token_hash: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SecurityEventsTable {
  id: string;
  device_id: string;
  site_id: string;
  type: string;
  source: string;
  occurred_at: Date;
  received_at: Generated<Date>;
  details: unknown;
  alarm_id: string | null;
}

export interface SecurityDeadLettersTable {
  id: Generated<number>;
  received_at: Generated<Date>;
  source: string;
  topic: string | null;
  payload: string;
  reason: string;
}

export interface SecurityRulesTable {
  id: string;
  name: string;
  kind: 'event' | 'burst' | 'combination';
  event_type: string;
  other_event_type: string | null;
  alarm_type: string;
  threshold: number | null;
  correlation_window_sec: number | null;
  site_id: string | null;
  device_id: string | null;
  windows: string[];
  priority: number;
  group_window_sec: number;
  deadline_sec: number;
  enabled: boolean;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SecurityProceduresTable {
  alarm_type: string;
  title: string;
  steps: string[];
}

export interface SecurityAlarmsTable {
  id: string;
  group_key: string;
  type: string;
  priority: number;
  state: AlarmState;
  site_id: string;
  member_id: string;
  device_id: string | null;
  rule_id: string | null;
  title: string;
  event_count: number;
  first_event_at: Date;
  last_event_at: Date;
  created_at: Generated<Date>;
  deadline_at: Date;
  escalation_level: Generated<number>;
  taken_by: string | null;
  taken_by_label: string | null;
  taken_at: Date | null;
  verification_at: Date | null;
  qualified_at: Date | null;
  qualification: Qualification | null;
  qualification_details: unknown;
  closed_at: Date | null;
  report: string | null;
  reopen_count: Generated<number>;
  updated_at: Generated<Date>;
}

export interface SecurityAlarmHistoryTable {
  id: Generated<number>;
  alarm_id: string;
  at: Generated<Date>;
  actor_id: string | null;
  actor_label: string;
  action: string;
  from_state: string | null;
  to_state: string;
  details: unknown;
}

export interface SecurityTicketsTable {
  id: string;
  alarm_id: string;
  device_id: string | null;
  site_id: string;
  description: string;
  status: 'open' | 'closed';
  created_at: Generated<Date>;
  created_by: string;
}

export interface SecurityStudiesTable {
  site_id: string;
  member_id: string;
  summary: string;
  threats: unknown;
  risks: unknown;
  measures: unknown;
  updated_at: Generated<Date>;
  updated_by: string;
}

declare module '../../platform/db/database.js' {
  interface Tables {
    security_centres: SecurityCentresTable;
    security_centre_sites: SecurityCentreSitesTable;
    security_centre_members: SecurityCentreMembersTable;
    security_operators: SecurityOperatorsTable;
    security_devices: SecurityDevicesTable;
    security_events: SecurityEventsTable;
    security_dead_letters: SecurityDeadLettersTable;
    security_rules: SecurityRulesTable;
    security_procedures: SecurityProceduresTable;
    security_alarms: SecurityAlarmsTable;
    security_alarm_history: SecurityAlarmHistoryTable;
    security_tickets: SecurityTicketsTable;
    security_studies: SecurityStudiesTable;
  }
}
