import proj4 from 'proj4';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { CommuneCatalogue } from '../territory/index.js';

// EPSG:2154, RGF93 v1 / Lambert-93, as published by the EPSG registry (proj4 has no built-in French CRS).
const LAMBERT_93 = '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs';
proj4.defs('EPSG:2154', LAMBERT_93);
/** Lambert-93 to WGS84 (forward) and back (inverse). */
export const lambert93 = proj4('EPSG:2154', 'WGS84');
// RGF93 and WGS84 coincide (towgs84 all zero): the projection's own inverse gives WGS84 degrees directly,
// at half the cost of the converter, which goes through a datum step that changes nothing.
const lambert93Projection = new proj4.Proj('EPSG:2154');
const DEGREES = 180 / Math.PI;

export type Projection = 'lambert93' | 'wgs84';

const PROJECTIONS = new Map<string, Projection>([
  ['RGF93', 'lambert93'],
  ['LAMBERT93', 'lambert93'],
  ['RGF93LAMBERT93', 'lambert93'],
  ['L93', 'lambert93'],
  ['2154', 'lambert93'],
  ['EPSG2154', 'lambert93'],
  ['WGS84', 'wgs84'],
  ['4326', 'wgs84'],
  ['EPSG4326', 'wgs84'],
]);

let lastRaw = '';
let lastProjection: Projection | undefined | null = undefined;

/** The projection a file names, undefined when the cell is empty (then guessed), or null when unknown. */
export function projectionOf(raw: string): Projection | undefined | null {
  // A file names the same projection on every row: remember the last answer.
  if (raw === lastRaw) return lastProjection;
  const key = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  lastRaw = raw;
  lastProjection = key === '' ? undefined : (PROJECTIONS.get(key) ?? null);
  return lastProjection;
}

const number = (raw: string) => (raw.trim() === '' ? NaN : Number(raw.trim().replace(',', '.')));

/**
 * WGS84 longitude and latitude from a file's x and y, or the reason they cannot be read. Without a stated
 * projection, degrees are told from Lambert-93 metres by their size.
 */
export function toLonLat(rawX: string, rawY: string, projection: Projection | undefined): [number, number] | string {
  const x = number(rawX);
  const y = number(rawY);
  if (rawX.trim() === '' || rawY.trim() === '') return 'coordonnées manquantes';
  if (!Number.isFinite(x) || !Number.isFinite(y)) return `coordonnées illisibles (${rawX} ; ${rawY})`;
  const wgs84 = projection ? projection === 'wgs84' : Math.abs(x) <= 180 && Math.abs(y) <= 90;
  if (wgs84) return [x, y];
  const { x: lon, y: lat } = lambert93Projection.inverse({ x, y });
  return [lon * DEGREES, lat * DEGREES];
}

/** Checks a building's point against its commune, then its département, with the territory's boundaries. */
export class PlaceChecker {
  constructor(private readonly catalogue: CommuneCatalogue) {}

  departementOf(insee: string): string | undefined {
    return this.catalogue.byInsee.get(insee)?.commune.departement;
  }

  /** undefined when the point is in the commune's département, else the reason. */
  problem(insee: string, lon: number, lat: number): string | undefined {
    const entry = this.catalogue.byInsee.get(insee)!;
    // Nearly every building lies in its own commune: one small polygon test, no search.
    if (booleanPointInPolygon([lon, lat], entry.geometry)) return undefined;
    const found = this.catalogue.locator.locate(lon, lat);
    if (found && found.slice(0, 2) === entry.commune.departement) return undefined;
    return `coordonnées hors du département ${entry.commune.departement} de la commune ${insee} (${lon.toFixed(5)}, ${lat.toFixed(5)})`;
  }
}
