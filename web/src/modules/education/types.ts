/** The education API's shapes as the console reads them. */
export interface School {
  id: string;
  uai: string;
  name: string;
  memberId: string;
  pupils: number;
  classes: number;
  assets: number;
}

export interface SchoolClass {
  id: string;
  schoolId: string;
  schoolYear: string;
  name: string;
  levels: string[];
  pupils: number;
}

export interface Pupil {
  id: string;
  schoolRef: string;
  firstName: string;
  lastInitial: string;
  level: string;
  className: string | null;
  guardians: number;
  tablet: string | null;
}

export interface Asset {
  id: string;
  schoolId: string | null;
  schoolName: string | null;
  type: string;
  serial: string;
  label: string;
  purchaseDate: string | null;
  state: string;
  room: string | null;
  holder: string | null;
}

export interface Repair {
  id: string;
  assetId: string;
  serial: string;
  assetType: string;
  schoolName: string | null;
  kind: string;
  description: string;
  status: string;
  outcome: string | null;
  holder: string | null;
  loanSerial: string | null;
  reportedBy: string;
  reportedAt: string;
}

export interface LicencePool {
  profile: string;
  purchased: number;
  needed: number;
  allocated: number;
}

export interface RoomAudit {
  expected: number;
  found: string[];
  missing: { serial: string; type: string; label: string }[];
  unexpected: { serial: string; registeredAt: string }[];
}

export interface Checklist {
  summary: { toYear: string; pupilsMovedUp: number; pupilsLeft: number; tabletsToCollect: number; tabletsLeftWithPupils: number; changed: boolean };
  doneAt: string;
  items: { item: string; label: string; done: boolean; serial: string | null }[];
}

export interface Programme {
  memberId: string;
  name: string;
  startYear: number;
  leaverRule: string;
  targets: { devices: number; teachersEquipped: number; projectors: number; licences: number };
  actuals: { devices: number; teachersEquipped: number; teachers: number; projectors: number; licences: number };
  plan: { year: number; budget: number; spent: number }[];
  waves: { schoolId: string; schoolName: string; uai: string; wave: number; plannedDate: string; devices: number; pupils: number }[];
  byType: { type: string; count: number }[];
  indicators: {
    devicesPer100Pupils: number | null;
    shareClassesEquipped: number | null;
    spendAgainstPlan: number | null;
    spendAgainstPlanToDate: number | null;
    budgetTotal: number;
    spentTotal: number;
    averageFleetAgeYears: number | null;
  };
}
