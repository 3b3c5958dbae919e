import type { ColumnType, Generated } from 'kysely';

/** The values the IRVE static schema (v2.3) allows, kept in French because they are published as is. */
export const IMPLANTATIONS = ['Voirie', 'Parking public', 'Parking privé à usage public', 'Parking privé réservé à la clientèle', 'Station dédiée à la recharge rapide'] as const;
export const ACCESS_CONDITIONS = ['Accès libre', 'Accès réservé'] as const;
export const PMR_ACCESS = ['Réservé PMR', 'Accessible mais non réservé PMR', 'Non accessible', 'Accessibilité inconnue'] as const;
export const GRID_CONNECTIONS = ['Direct', 'Indirect'] as const;
/** Socket kinds of a charge point: T2 (Type 2 / 2S), EF (domestic E/F), CCS, CHADEMO, OTHER. */
export const SOCKET_KINDS = ['T2', 'EF', 'CCS', 'CHADEMO', 'OTHER'] as const;
export type SocketKind = (typeof SOCKET_KINDS)[number];

/** accepted: registered by the SMO; pending: connected by itself under auto-registration, awaiting review. */
export const REGISTRATIONS = ['accepted', 'pending'] as const;
export type Registration = (typeof REGISTRATIONS)[number];

export const BADGE_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const;
export type BadgeStatus = (typeof BADGE_STATUSES)[number];

/** OCPP 1.6 ChargePointStatus values. */
export const CONNECTOR_STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

export type CommandStatus = 'sent' | 'answered' | 'rejected' | 'offline' | 'timeout' | 'failed';

type Numeric = ColumnType<string, string | number, string | number>;
type Json = ColumnType<unknown, string, string>;

export interface ChargingStationsTable {
  id: string;
  code: string;
  id_station_itinerance: string;
  name: string;
  registration: Registration;
  site_id: string | null;
  commune_insee: string | null;
  member_id: string;
  longitude: number | null;
  latitude: number | null;
  address: string;
  opening_hours: string;
  implantation: string;
  access_condition: string;
  pmr: string;
  height_restriction: string;
  commissioning_date: string | null;
  grid_connection: string | null;
  pdl: string | null;
  ocpp_identity: string;
  password_hash: string;
  tariff_kwh: Numeric;
  tariff_minute: Numeric;
  tariff_fixed: Numeric;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  firmware_status: string | null;
  diagnostics_status: string | null;
  configuration: Json | null;
  configuration_at: Date | null;
  last_boot_at: Date | null;
  last_seen_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ChargingPointsTable {
  station_id: string;
  connector_id: number;
  id_pdc_itinerance: string;
  max_power_kw: number;
  sockets: SocketKind[];
  status: string | null;
  error_code: string | null;
  status_at: Date | null;
}

/** Every StatusNotification, in the order the station sent them (connector 0 is the station itself). */
export interface ChargingStatusHistoryTable {
  id: Generated<number>;
  station_id: string;
  connector_id: number;
  status: string;
  error_code: string;
  info: string | null;
  at: Date;
  received_at: Generated<Date>;
}

/** What a station did besides charging: connections, data transfers, firmware and diagnostics reports, anomalies. */
export interface ChargingStationEventsTable {
  id: Generated<number>;
  station_id: string;
  kind: string;
  detail: Json;
  at: Generated<Date>;
}

export interface ChargingBadgesTable {
  id_tag: string;
  label: string;
  status: BadgeStatus;
  owner_member_id: string;
  owner_user_id: string | null;
  expires_at: Date | null;
  parent_id_tag: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ChargingSessionsTable {
  id: string;
  transaction_id: Generated<number>;
  station_id: string;
  connector_id: number;
  member_id: string;
  id_tag: string;
  auth_status: string;
  reservation_id: number | null;
  meter_start: number;
  started_at: Date;
  meter_stop: number | null;
  stopped_at: Date | null;
  stop_reason: string | null;
  energy_wh: number | null;
  cost: Numeric | null;
  created_at: Generated<Date>;
}

export interface ChargingMeterValuesTable {
  station_id: string;
  connector_id: number;
  transaction_id: number | null;
  at: Date;
  measurand: string;
  phase: string | null;
  unit: string | null;
  context: string | null;
  value: number;
}

export interface ChargingCommandsTable {
  id: string;
  station_id: string;
  member_id: string;
  action: string;
  payload: Json;
  status: CommandStatus;
  response: Json | null;
  error: string | null;
  requested_by: string;
  requested_at: Generated<Date>;
  answered_at: Date | null;
}

declare module '../../platform/db/database.js' {
  interface Tables {
    charging_stations: ChargingStationsTable;
    charging_points: ChargingPointsTable;
    charging_status_history: ChargingStatusHistoryTable;
    charging_station_events: ChargingStationEventsTable;
    charging_badges: ChargingBadgesTable;
    charging_sessions: ChargingSessionsTable;
    charging_meter_values: ChargingMeterValuesTable;
    charging_commands: ChargingCommandsTable;
  }
}
