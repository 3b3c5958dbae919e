import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { STATE_LABELS, type StateCode } from './fibre.tables.js';
import { lambert93 } from './coordinates.js';

/** The columns of a generated IPE file: those NOTES.md lists, in a delivery's usual order. */
export const IPE_COLUMNS = [
  'IdentifiantImmeuble',
  'EtatImmeuble',
  'CodeInseeImmeuble',
  'CodePostalImmeuble',
  'CommuneImmeuble',
  'CodeVoieRivoliImmeuble',
  'CodeAdresseImmeuble',
  'TypeVoieImmeuble',
  'NomVoieImmeuble',
  'NumeroVoieImmeuble',
  'ComplementNumeroVoieImmeuble',
  'BatimentImmeuble',
  'NombreLogementsAdresseIPE',
  'DateDerniereModification',
  'CoordonneeImmeubleX',
  'CoordonneeImmeubleY',
  'TypeProjectionGeographique',
  'AccordGestionnaireImmeubleNecessaire',
  'DateSignatureConvention',
  'GestionnaireImmeuble',
  'ReferencePM',
  'EtatPM',
  'CoordonneePMX',
  'CoordonneePMY',
  'TypePBO',
  'TypeRaccoPBPTO',
  'CodeOI',
  'NombreLogementsPM',
] as const;

export interface PlannedCommune {
  insee: string;
  name: string;
  postalCode: string;
  geometry: Polygon | MultiPolygon;
  buildings: number;
}

export interface RolloutPlan {
  communes: PlannedCommune[];
  /** The operator's code written in CodeOI. */
  operator: string;
  /** Deployment waves spread communes from about `start` to about `end` (YYYY-MM-DD). */
  start: string;
  end: string;
  seed: number;
  projection: 'lambert93' | 'wgs84';
  /** Dwellings written per generated dwelling: above 1 when each row stands for several addresses. */
  dwellingsScale?: number;
}

const DAY = 86_400_000;
const STREETS = [['RUE', 'DE LA MAIRIE'], ['RUE', 'DE L EGLISE'], ['CHEMIN', 'DES VIGNES'], ['ROUTE', 'DE PARIS'], ['IMPASSE', 'DES TILLEULS'], ['GRANDE RUE', ''], ['RUE', 'DU MOULIN'], ['ALLEE', 'DES CHENES'], ['PLACE', 'DU MARCHE'], ['RUE', 'VICTOR HUGO']] as const;

/** A small deterministic generator (mulberry32), so that the same plan always gives the same files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bboxOf(geometry: Polygon | MultiPolygon): [number, number, number, number] {
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings) for (const [x, y] of ring) [minX, minY, maxX, maxY] = [Math.min(minX, x!), Math.min(minY, y!), Math.max(maxX, x!), Math.max(maxY, y!)];
  return [minX, minY, maxX, maxY];
}

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const compact = (date: string) => date.replaceAll('-', '');

/**
 * The lines (header first) of the operator's IPE file on `date`: every building keeps its identity, place
 * and size from one date to the next and moves CIBLE (or SIGNE) → EN COURS DE DEPLOIEMENT → DEPLOYE as its
 * commune's wave passes; a few are abandoned, listed for three months, then gone.
 */
export function* ipeLines(plan: RolloutPlan, date: string): Generator<string> {
  yield IPE_COLUMNS.join(';');
  const at = Date.parse(date);
  const start = Date.parse(plan.start);
  const span = Date.parse(plan.end) - start;
  for (const [k, commune] of plan.communes.entries()) {
    const rc = random(plan.seed ^ Number(commune.insee));
    // Waves: each commune opens somewhere in the programme, a few before it starts.
    const opening = start + (rc() * 1.15 - 0.15) * span;
    const [minX, minY, maxX, maxY] = bboxOf(commune.geometry);
    for (let i = 0; i < commune.buildings; i++) {
      const r = random((plan.seed * 7919 + k * 104_729 + i) >>> 0);
      let lon = 0;
      let lat = 0;
      for (let tries = 0; tries < 1000; tries++) {
        lon = minX + r() * (maxX - minX);
        lat = minY + r() * (maxY - minY);
        if (booleanPointInPolygon([lon, lat], commune.geometry)) break;
      }
      const size = r();
      const units = size < 0.86 ? 1 : size < 0.97 ? 2 + Math.floor(r() * 5) : 7 + Math.floor(r() * 24);
      const needsAgreement = units > 1;
      const dwellings = units * (plan.dwellingsScale ?? 1);
      const ready = opening + r() * 0.35 * span;
      const works = ready - (60 + r() * 60) * DAY;
      const abandonedAt = r() < 0.01 ? opening + r() * span : Infinity;
      if (at >= abandonedAt + 91 * DAY) continue;
      const state: StateCode = at >= abandonedAt ? 'AB' : at >= ready ? 'DE' : at >= works ? 'EC' : needsAgreement && at >= works - 120 * DAY ? 'SI' : 'CI';
      const changed = state === 'DE' ? ready : state === 'EC' ? works : state === 'AB' ? abandonedAt : opening - 200 * DAY;
      const [x, y] = plan.projection === 'lambert93' ? lambert93.inverse([lon, lat]).map((v) => v.toFixed(2)) : [lon.toFixed(6), lat.toFixed(6)];
      const [streetType, streetName] = STREETS[Math.floor(r() * STREETS.length)]!;
      const pm = `PM-${commune.insee}-${String(1 + (i % 7)).padStart(2, '0')}`;
      yield [
        `IMB/${commune.insee}/X/${i.toString(36).toUpperCase().padStart(5, '0')}`,
        STATE_LABELS[state],
        commune.insee,
        commune.postalCode,
        commune.name.toUpperCase(),
        Math.floor(r() * 0x10000).toString(16).toUpperCase().padStart(4, '0'),
        [r(), r()].map((v) => Math.floor(v * 0x100000).toString(16).toUpperCase().padStart(5, '0')).join(''),
        streetType,
        streetName,
        String(1 + Math.floor(r() * 120)),
        r() < 0.05 ? 'B' : '',
        dwellings > 6 ? 'A' : '',
        String(dwellings),
        compact(ymd(Math.min(changed, at))),
        x,
        y,
        plan.projection === 'lambert93' ? 'RGF93' : 'WGS84',
        needsAgreement ? 'O' : 'N',
        needsAgreement && state !== 'CI' ? compact(ymd(works - 150 * DAY)) : '',
        needsAgreement ? 'SYNDIC DU VAL' : '',
        pm,
        at >= opening ? 'DEPLOYE' : 'EN COURS DE DEPLOIEMENT',
        x,
        y,
        'CHAMBRE',
        'AERIEN',
        plan.operator,
        '',
      ].join(';');
    }
  }
}
