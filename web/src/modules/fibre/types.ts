/** The fibre API's shapes as the console reads them. */
export interface Progress {
  insee: string;
  name: string;
  population: number | null;
  designated: boolean;
  dwellings: number;
  connectableDwellings: number;
  shareConnectable: number | null;
}

export interface Programme {
  targetHouseholds: number;
  date: string | null;
  connectableDwellings: number;
  progress: number;
  pacePerMonth: number | null;
  forecastDate: string | null;
  reached: boolean;
  rankedByNeed: { rank: number; insee: string; name: string; population: number | null; dwellings: number; connectableDwellings: number; shareNotConnectable: number }[];
}

export interface HistoryPoint {
  date: string;
  dwellings: number;
  connectableDwellings: number;
  shareConnectable: number | null;
  change: { connectableDwellings: number } | null;
}

export interface FibreImport {
  id: string;
  operator: string;
  snapshotDate: string;
  status: string;
  fileName: string;
  refusal: string | null;
  lines: number;
  accepted: number;
  rejected: number;
  importedAt: string;
}
