import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import union from '@turf/union';
import { featureCollection } from '@turf/helpers';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { PROJECT_ROOT } from '../../platform/paths.js';

const require = createRequire(import.meta.url);

/** The territory of the SMO. */
export const DEPARTEMENTS = ['78', '92'] as const;
export const SMO_MEMBER_ID = 'smo';

interface CogCommune {
  code: string;
  nom: string;
  departement: string;
  type: string;
  population?: number;
  codesPostaux?: string[];
  anciensCodes?: string[];
}
interface CogGroup {
  code: string;
  nom: string;
  type: string;
  membres: { code: string }[];
}
interface CogDepartement {
  code: string;
  nom: string;
}

export type CommuneGeometry = Polygon | MultiPolygon;

export interface ReferenceMember {
  id: string;
  kind: 'smo' | 'departement' | 'epci' | 'commune';
  name: string;
  code: string;
  epci_type: string | null;
  departement: string | null;
}

export interface ReferenceCommune {
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

export const memberIdOf = {
  departement: (code: string) => `dep-${code}`,
  epci: (siren: string) => `epci-${siren}`,
  commune: (insee: string) => `com-${insee}`,
};

function bboxOf(geometry: CommuneGeometry): [number, number, number, number] {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    for (const [lon, lat] of polygon[0] ?? []) {
      minLon = Math.min(minLon, lon!);
      minLat = Math.min(minLat, lat!);
      maxLon = Math.max(maxLon, lon!);
      maxLat = Math.max(maxLat, lat!);
    }
  }
  return [minLon, minLat, maxLon, maxLat];
}

function loadShapes(): Map<string, Feature<CommuneGeometry>> {
  const shapes = new Map<string, Feature<CommuneGeometry>>();
  for (const dep of DEPARTEMENTS) {
    const file = path.join(PROJECT_ROOT, 'src/modules/territory/data', `communes-${dep}.geojson`);
    const collection = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: Feature<CommuneGeometry, { code: string }>[] };
    for (const feature of collection.features) shapes.set(feature.properties.code, feature);
  }
  return shapes;
}

/**
 * The current communes of 78 and 92 (COG, from @etalab/decoupage-administratif), their EPCIs and EPTs,
 * and their shapes. The shapes file predates the mergers of some Yvelines communes: a merged commune's
 * shape is the union of its own and its former communes' shapes.
 */
export function buildReferenceTerritory(): { members: ReferenceMember[]; links: { parent_id: string; child_id: string }[]; communes: ReferenceCommune[] } {
  const cogCommunes = (require('@etalab/decoupage-administratif/data/communes.json') as CogCommune[]).filter(
    (c) => (DEPARTEMENTS as readonly string[]).includes(c.departement) && c.type === 'commune-actuelle',
  );
  const departements = (require('@etalab/decoupage-administratif/data/departements.json') as CogDepartement[]).filter((d) =>
    (DEPARTEMENTS as readonly string[]).includes(d.code),
  );
  const inTerritory = new Set(cogCommunes.map((c) => c.code));
  const groups = [
    ...(require('@etalab/decoupage-administratif/data/epci.json') as CogGroup[]),
    ...(require('@etalab/decoupage-administratif/data/ept.json') as CogGroup[]),
  ].filter((g) => g.membres.some((m) => inTerritory.has(m.code)));

  const shapes = loadShapes();
  const members: ReferenceMember[] = [
    { id: SMO_MEMBER_ID, kind: 'smo', name: 'Syndicat mixte ouvert Yvelines – Hauts-de-Seine Numérique', code: 'SMO', epci_type: null, departement: null },
  ];
  const links: { parent_id: string; child_id: string }[] = [];

  for (const d of departements) {
    members.push({ id: memberIdOf.departement(d.code), kind: 'departement', name: d.nom, code: d.code, epci_type: null, departement: d.code });
  }
  const epciOf = new Map<string, string>();
  const eptOf = new Map<string, string>();
  for (const g of groups) {
    const deps = new Set(cogCommunes.filter((c) => g.membres.some((m) => m.code === c.code)).map((c) => c.departement));
    members.push({
      id: memberIdOf.epci(g.code),
      kind: 'epci',
      name: g.nom,
      code: g.code,
      epci_type: g.type,
      departement: deps.size === 1 ? [...deps][0]! : null,
    });
    for (const m of g.membres) {
      if (!inTerritory.has(m.code)) continue;
      (g.type === 'EPT' ? eptOf : epciOf).set(m.code, g.code);
      links.push({ parent_id: memberIdOf.epci(g.code), child_id: memberIdOf.commune(m.code) });
    }
  }

  const communes: ReferenceCommune[] = [];
  for (const c of cogCommunes) {
    const parts = [c.code, ...(c.anciensCodes ?? [])].map((code) => shapes.get(code)).filter((f) => f !== undefined);
    if (parts.length === 0) throw new Error(`No shape for commune ${c.code} ${c.nom}`);
    const geometry =
      parts.length === 1 ? parts[0]!.geometry : union(featureCollection(parts as Feature<Polygon | MultiPolygon>[]))!.geometry;
    const [minLon, minLat, maxLon, maxLat] = bboxOf(geometry);
    const memberId = memberIdOf.commune(c.code);
    members.push({ id: memberId, kind: 'commune', name: c.nom, code: c.code, epci_type: null, departement: c.departement });
    links.push({ parent_id: memberIdOf.departement(c.departement), child_id: memberId });
    communes.push({
      insee: c.code,
      name: c.nom,
      departement: c.departement,
      population: c.population ?? null,
      postal_codes: c.codesPostaux ?? [],
      epci_siren: epciOf.get(c.code) ?? null,
      ept_siren: eptOf.get(c.code) ?? null,
      member_id: memberId,
      geometry,
      min_lon: minLon,
      min_lat: minLat,
      max_lon: maxLon,
      max_lat: maxLat,
    });
  }
  return { members, links, communes };
}
