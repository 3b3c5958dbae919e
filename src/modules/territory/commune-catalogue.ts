import type { Db } from '../../platform/db/database.js';
import { foldText } from '../../platform/http/pagination.js';
import { CommuneLocator } from './commune-locator.js';
import type { CommuneGeometry } from './reference-data.js';
import type { AdhesionStatus } from './territory.tables.js';

export interface Commune {
  insee: string;
  name: string;
  departement: string;
  population: number | null;
  postalCodes: string[];
  epci: { siren: string; name: string } | null;
  ept: { siren: string; name: string } | null;
  memberId: string;
  adhesionStatus: AdhesionStatus;
  adhesionDate: string | null;
}

export interface CatalogueEntry {
  commune: Commune;
  geometry: CommuneGeometry;
  folded: string;
}

export interface CommuneCatalogue {
  /** In INSEE order. */
  communes: CatalogueEntry[];
  /** Every sort the API offers, computed once, ascending; ties in INSEE order. */
  orders: Record<'name' | 'insee' | 'population', CatalogueEntry[]>;
  byInsee: Map<string, CatalogueEntry>;
  locator: CommuneLocator;
}

const collator = new Intl.Collator('fr');

export async function loadCommuneCatalogue(db: Db): Promise<CommuneCatalogue> {
  const rows = await db
    .selectFrom('communes as c')
    .innerJoin('members as m', 'm.id', 'c.member_id')
    .leftJoin('members as e', (j) => j.on('e.kind', '=', 'epci').onRef('e.code', '=', 'c.epci_siren'))
    .leftJoin('members as t', (j) => j.on('t.kind', '=', 'epci').onRef('t.code', '=', 'c.ept_siren'))
    .select([
      'c.insee',
      'c.name',
      'c.departement',
      'c.population',
      'c.postal_codes',
      'c.epci_siren',
      'c.ept_siren',
      'c.member_id',
      'c.geometry',
      'c.min_lon',
      'c.min_lat',
      'c.max_lon',
      'c.max_lat',
      'm.adhesion_status',
      'm.adhesion_date',
      'e.name as epci_name',
      't.name as ept_name',
    ])
    .execute();
  const communes = rows.map((r) => ({
    commune: {
      insee: r.insee,
      name: r.name,
      departement: r.departement,
      population: r.population,
      postalCodes: r.postal_codes,
      epci: r.epci_siren ? { siren: r.epci_siren, name: r.epci_name ?? r.epci_siren } : null,
      ept: r.ept_siren ? { siren: r.ept_siren, name: r.ept_name ?? r.ept_siren } : null,
      memberId: r.member_id,
      adhesionStatus: r.adhesion_status,
      adhesionDate: r.adhesion_date,
    },
    geometry: r.geometry,
    folded: foldText(r.name),
  }));
  communes.sort((a, b) => (a.commune.insee < b.commune.insee ? -1 : 1));
  const orders = {
    insee: communes,
    // French collation: "Élancourt" among the E, not after Z.
    name: [...communes].sort((a, b) => collator.compare(a.commune.name, b.commune.name)),
    population: [...communes].sort((a, b) => (a.commune.population ?? -1) - (b.commune.population ?? -1)),
  };
  return { communes, orders, byInsee: new Map(communes.map((c) => [c.commune.insee, c])), locator: new CommuneLocator(rows) };
}
