import type { Generated } from 'kysely';
import type { CommuneGeometry } from './reference-data.js';

export type MemberKind = 'smo' | 'departement' | 'epci' | 'commune';
export type AdhesionStatus = 'adherent' | 'non_adherent' | 'withdrawn';
export const SITE_KINDS = ['school', 'public_building', 'car_park', 'other'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export interface MembersTable {
  id: string;
  kind: MemberKind;
  name: string;
  code: string;
  epci_type: string | null;
  departement: string | null;
  adhesion_status: Generated<AdhesionStatus>;
  adhesion_date: string | null;
  updated_at: Generated<Date>;
}
export interface MemberLinksTable {
  parent_id: string;
  child_id: string;
}
export interface CommunesTable {
  insee: string;
  name: string;
  departement: string;
  population: number | null;
  postal_codes: string[];
  epci_siren: string | null;
  ept_siren: string | null;
  member_id: string;
  geometry: CommuneGeometry;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
}
export interface SitesTable {
  id: string;
  kind: SiteKind;
  name: string;
  uai: string | null;
  address: string;
  longitude: number;
  latitude: number;
  commune_insee: string;
  member_id: string;
  notes: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

declare module '../../platform/db/database.js' {
  interface Tables {
    members: MembersTable;
    member_links: MemberLinksTable;
    communes: CommunesTable;
    sites: SitesTable;
  }
}
