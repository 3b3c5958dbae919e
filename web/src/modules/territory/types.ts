export interface Commune {
  insee: string;
  name: string;
  departement: string;
  population: number | null;
  postalCodes: string[];
  epci: { siren: string; name: string } | null;
  ept: { siren: string; name: string } | null;
  memberId: string;
  adhesionStatus: string;
  adhesionDate: string | null;
}

export interface CommuneDetail extends Commune {
  geometry: GeoJSON.Geometry;
  sitesCount: number;
}

export interface Site {
  id: string;
  kind: string;
  name: string;
  uai: string | null;
  address: string;
  longitude: number;
  latitude: number;
  communeInsee: string;
  communeName: string;
  memberId: string;
  memberName: string;
  notes: string;
  createdAt: string;
  updatedAt: string;
}

export const SITE_KINDS = ['school', 'public_building', 'car_park', 'other'] as const;
