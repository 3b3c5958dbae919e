import { describe, expect, it } from 'vitest';
import { uaiProblem } from './uai.js';

describe('uaiProblem', () => {
  it('accepts real UAIs of the territory', () => {
    expect(uaiProblem('0780422K', ['78', '92'])).toBeNull(); // lycée Hoche, Versailles
    expect(uaiProblem('0921234S', ['78', '92'])).toBeNull();
  });
  it('names a wrong check letter and the expected one', () => {
    expect(uaiProblem('0780422A', ['78', '92'])).toMatch(/attendue : K/);
  });
  it('refuses malformed codes and codes of other départements', () => {
    expect(uaiProblem('780422K', ['78', '92'])).toMatch(/7 chiffres/);
    expect(uaiProblem('0750001U', ['78', '92'])).toMatch(/n'appartient pas/);
  });
});
