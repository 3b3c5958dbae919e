/** The charging API's shapes as the console reads them. */
export interface ChargePoint {
  connectorId: number;
  idPdcItinerance: string;
  maxPowerKw: number;
  sockets: string[];
  status: string | null;
  errorCode: string | null;
  statusAt: string | null;
  occupied: boolean;
}

export interface Station {
  id: string;
  code: string;
  idStationItinerance: string;
  name: string;
  registration: string;
  communeInsee: string | null;
  communeName: string | null;
  memberId: string;
  longitude: number | null;
  latitude: number | null;
  address: string;
  openingHours: string;
  accessCondition: string;
  pmr: string;
  commissioningDate: string | null;
  gridConnection: string | null;
  ocppIdentity: string;
  tariff: { perKwh: number; perMinute: number; fixedFee: number };
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  firmwareStatus: string | null;
  configuration: { configurationKey?: { key: string; readonly: boolean; value?: string }[] } | null;
  configurationAt: string | null;
  lastBootAt: string | null;
  lastSeenAt: string | null;
  online: boolean;
  chargePoints: ChargePoint[];
}

export interface Session {
  id: string;
  transactionId: number;
  stationId: string;
  stationName: string;
  communeName: string | null;
  connectorId: number;
  idTag: string;
  startedAt: string;
  stoppedAt: string | null;
  stopReason: string | null;
  energyKwh: number | null;
  durationMinutes: number | null;
  cost: number | null;
  active: boolean;
}

export interface Command {
  id: string;
  action: string;
  payload: unknown;
  status: string;
  response: unknown;
  error: string | null;
  requestedBy: string;
  requestedAt: string;
}

export interface Badge {
  idTag: string;
  label: string;
  status: string;
  ownerMemberId: string;
  expiresAt: string | null;
  parentIdTag: string | null;
}

export interface Indicators {
  availability: { stationId: string; stationName: string; connectorId: number; usable: number; faulted: number; unavailable: number; offline: number; unknown: number }[];
  faults: { stationId: string; stationName: string; faults: number }[];
  monthly: { communeInsee: string | null; communeName: string | null; month: string; sessions: number; energyKwh: number }[];
}
