/** The security API's shapes as the console reads them. */
export interface Alarm {
  id: string;
  type: string;
  typeLabel: string;
  title: string;
  priority: number;
  state: 'new' | 'taken' | 'verification' | 'qualified' | 'closed';
  siteId: string;
  siteName: string;
  memberId: string;
  deviceId: string | null;
  ruleId: string | null;
  eventCount: number;
  firstEventAt: string;
  lastEventAt: string;
  createdAt: string;
  deadlineAt: string;
  escalationLevel: number;
  takenBy: string | null;
  takenByLabel: string | null;
  takenAt: string | null;
  verificationAt: string | null;
  qualifiedAt: string | null;
  qualification: string | null;
  qualificationDetails: Record<string, unknown> | null;
  closedAt: string | null;
  report: string | null;
  reopenCount: number;
}

export interface Device {
  id: string;
  code: string;
  name: string;
  kind: string;
  model: string | null;
  siteId: string;
  siteName: string;
  memberId: string;
  zone: string | null;
  zoneRestricted: boolean;
  purposes: string[];
  streamRef: string | null;
  frigateCamera: string | null;
  doorId: string | null;
  installDate: string | null;
  maintainer: string | null;
  status: string;
  statusAt: string | null;
}

export interface AlarmDetail {
  alarm: Alarm;
  history: { at: string; actorLabel: string; action: string; fromState: string | null; toState: string; details: Record<string, unknown> }[];
  events: { id: string; type: string; typeLabel: string; source: string; occurredAt: string; receivedAt: string; details: Record<string, unknown>; deviceCode: string; deviceName: string }[];
  procedure: { alarmType: string; title: string; steps: string[] } | null;
  device: Device | null;
  site: { id: string; name: string; longitude: number; latitude: number };
  cameras: Device[];
  tickets: { id: string; description: string; status: string; createdAt: string; createdBy: string }[];
}

export interface Rule {
  id: string;
  name: string;
  kind: 'event' | 'burst' | 'combination';
  eventType: string;
  otherEventType: string | null;
  alarmType: string;
  threshold: number | null;
  correlationWindowSec: number | null;
  siteId: string | null;
  deviceId: string | null;
  windows: string[];
  priority: number;
  groupWindowSec: number;
  deadlineSec: number;
  enabled: boolean;
}

export interface Indicators {
  alarms: number;
  timeToTake: { p50: number | null; p90: number | null; count: number };
  timeToQualify: { p50: number | null; p90: number | null; count: number };
  falseAlarmRate: Record<'byDevice' | 'bySite' | 'byRule', { id: string; name: string; qualified: number; falseAlarms: number; rate: number }[]>;
  policeCallsByMonth: { month: string; calls: number }[];
  devices: { total: number; online: number; offline: number; tampered: number; unknown: number; availability: number | null };
}

export const EVENT_TYPES = [
  'motion',
  'tamper',
  'line_crossing',
  'field_intrusion',
  'door_forced_open',
  'door_held_open',
  'access_denied',
  'unknown_credential',
  'anti_passback_violation',
  'duress',
  'reader_tamper',
  'object_detected',
  'review_alert',
  'review_detection',
] as const;

export interface Study {
  siteId: string;
  siteName: string;
  memberId: string;
  summary: string;
  threats: { id: string; label: string; description: string }[];
  risks: { id: string; threatId: string; vulnerability: string; likelihood: number; impact: number }[];
  measures: { id: string; label: string; riskIds: string[]; costEuros: number; status: string }[];
  matrix: string[][][];
  totalCostEuros: number;
  updatedAt: string;
  updatedBy: string;
}
