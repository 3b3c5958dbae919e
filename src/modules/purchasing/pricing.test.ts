import { describe, expect, it } from 'vitest';
import { isValidSiret } from '../../platform/siret.js';
import { addMonths, tierPrice, toCents, vatOf } from './pricing.js';

describe('purchasing pricing helpers', () => {
  it('converts euros to cents exactly and refuses sub-cent amounts', () => {
    expect(toCents(0.29)).toBe(29);
    expect(toCents(1234.56)).toBe(123456);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(1.005)).toBeUndefined();
  });

  it('rounds VAT to the cent', () => {
    expect(vatOf(10000, 2000)).toBe(2000);
    expect(vatOf(999, 550)).toBe(55);
  });

  it('checks SIRET numbers with Luhn', () => {
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('7328293200007A')).toBe(false);
  });

  it('prices a quantity at the highest tier it reaches', () => {
    const tiers = [{ minQuantity: 100, unitPriceCents: 800 }, { minQuantity: 10, unitPriceCents: 900 }];
    expect(tierPrice(1000, tiers, 9)).toBe(1000);
    expect(tierPrice(1000, tiers, 10)).toBe(900);
    expect(tierPrice(1000, tiers, 250)).toBe(800);
  });

  it('adds months to a date, clamping to the end of the month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2025-09-01', 48)).toBe('2029-09-01');
  });
});
