/** Money is held in integer cents; euros appear only at the API's edge. */
export const toEuros = (cents: number): number => cents / 100;

/** Euros as typed (at most 2 decimals) to cents; undefined when the amount has more than 2 decimals. */
export function toCents(euros: number): number | undefined {
  const cents = Math.round(euros * 100);
  return Math.abs(cents - euros * 100) < 1e-6 ? cents : undefined;
}

/** VAT of an amount excluding VAT, rounded to the cent; the rate in basis points (2000 = 20 %). */
export const vatOf = (cents: number, rateBp: number): number => Math.round((cents * rateBp) / 10000);

export interface Tier {
  minQuantity: number;
  unitPriceCents: number;
}

/** The unit price for a quantity: the tier with the highest threshold the quantity reaches, else the base price. */
export function tierPrice(basePriceCents: number, tiers: readonly Tier[], quantity: number): number {
  let price = basePriceCents;
  let reached = 0;
  for (const tier of tiers) {
    if (quantity >= tier.minQuantity && tier.minQuantity > reached) {
      reached = tier.minQuantity;
      price = tier.unitPriceCents;
    }
  }
  return price;
}

/** Adds a month count to an ISO date, clamping to the month's last day (2026-01-31 + 1 month = 2026-02-28). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
