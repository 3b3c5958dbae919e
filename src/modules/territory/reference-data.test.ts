import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { buildReferenceTerritory } from './reference-data.js';

describe('reference territory (COG)', () => {
  const ref = buildReferenceTerritory();

  it('has the current communes of 78 and 92', () => {
    expect(ref.communes.filter((c) => c.departement === '78')).toHaveLength(259);
    expect(ref.communes.filter((c) => c.departement === '92')).toHaveLength(36);
  });

  it('builds a merged commune from its former communes', () => {
    // Le Chesnay-Rocquencourt (78158) absorbed Rocquencourt (78524), whose centre must fall inside.
    const chesnay = ref.communes.find((c) => c.insee === '78158')!;
    expect(booleanPointInPolygon([2.1103, 48.8356], chesnay.geometry)).toBe(true);
  });

  it('links every commune under its département and its intercommunalities', () => {
    const links = new Set(ref.links.map((l) => `${l.parent_id}>${l.child_id}`));
    expect(links.has('dep-78>com-78646')).toBe(true);
    expect(links.has('epci-247800584>com-78646')).toBe(true); // CA Versailles Grand Parc
    expect(ref.communes.find((c) => c.insee === '92023')?.ept_siren).toBe('200057966'); // Vallée Sud - Grand Paris
  });
});
