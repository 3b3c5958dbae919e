import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { CommuneGeometry } from './reference-data.js';

export interface LocatableCommune {
  insee: string;
  geometry: CommuneGeometry;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
}

/** Finds the commune containing a point; the bounding boxes keep the polygon tests to a handful. */
export class CommuneLocator {
  constructor(private readonly communes: LocatableCommune[]) {}

  locate(longitude: number, latitude: number): string | undefined {
    for (const c of this.communes) {
      if (longitude < c.min_lon || longitude > c.max_lon || latitude < c.min_lat || latitude > c.max_lat) continue;
      if (booleanPointInPolygon([longitude, latitude], c.geometry)) return c.insee;
    }
    return undefined;
  }
}
