import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiClient } from '../support/test-platform.js';

export const SUPPLIER = { siret: '73282932000074', name: 'Fournisseur de test' };

/** A fresh agreement with one lot and its items, made through the API by the SMO (unique references per call). */
export async function makeAgreement(
  smo: ApiClient,
  options: { lot?: string; maxAmount?: number; tierBasis?: 'cumulative' | 'per_order'; notificationDate?: string; durationMonths?: number; items?: Record<string, unknown>[] } = {},
) {
  const reference = `T-${randomBytes(4).toString('hex')}`;
  const res = await smo.post('/api/purchasing/agreements', {
    reference,
    object: 'Accord-cadre de test',
    cpvCode: '30213200',
    procedure: "Appel d'offres ouvert",
    notificationDate: options.notificationDate ?? '2025-01-15',
    durationMonths: options.durationMonths ?? 60,
    priceForm: 'Unitaire',
    priceType: 'Définitif ferme',
    execution: 'purchase_orders',
    tierBasis: options.tierBasis ?? 'cumulative',
    suppliers: [SUPPLIER],
    lots: [{ code: options.lot ?? 'e-education', label: 'Lot de test', supplierSiret: SUPPLIER.siret, minAmount: 0, maxAmount: options.maxAmount ?? 1_000_000 }],
  });
  expect(res.statusCode, res.body).toBe(201);
  const agreement = res.json();
  const lotId: string = agreement.lots[0].id;
  const items: Record<string, string> = {};
  for (const item of options.items ?? [
    { reference: 'TAB', label: 'Tablette de test', category: 'tablet', unit: 'unité', unitPriceExclVat: 100, vatRate: 20, listPrice: 150, tiers: [{ minQuantity: 10, unitPriceExclVat: 90 }, { minQuantity: 20, unitPriceExclVat: 80 }] },
    { reference: 'VPI', label: 'Vidéoprojecteur interactif de test', category: 'interactive_projector', unit: 'unité', unitPriceExclVat: 1000.5, vatRate: 20, listPrice: 1200 },
  ]) {
    const put = await smo.request('PUT', `/api/purchasing/lots/${lotId}/items`, item);
    expect(put.statusCode, put.body).toBe(201);
    items[item.reference as string] = put.json().id;
  }
  return { agreement, reference, lotId, items };
}

/** A convention covering the lot and a budget for the member; returns the budget id. */
export async function enrol(smo: ApiClient, memberId: string, lot: string, amount: number, programme = `Programme ${randomBytes(3).toString('hex')}`) {
  const conventions = (await smo.get(`/api/purchasing/conventions?memberId=${memberId}`)).json() as { id: string; lots: string[] }[];
  const covering = conventions.find((c) => c.lots.includes(lot));
  if (!covering) {
    const res = await smo.post('/api/purchasing/conventions', { reference: `CONV-${randomBytes(4).toString('hex')}`, memberId, signedOn: '2025-02-01', lots: [lot], contactName: 'Contact', contactEmail: 'contact@example.fr' });
    expect(res.statusCode, res.body).toBe(201);
  }
  const budget = await smo.post('/api/purchasing/budgets', { memberId, year: new Date().getUTCFullYear(), programme, amount });
  expect(budget.statusCode, budget.body).toBe(201);
  return budget.json().id as string;
}

export const siteOf = async (client: ApiClient, memberId: string): Promise<string> => {
  const res = await client.get(`/api/sites?memberId=${memberId}&pageSize=200`);
  const site = (res.json().items as { id: string; memberId: string }[]).find((s) => s.memberId === memberId);
  if (!site) throw new Error(`no demo site for ${memberId}`);
  return site.id;
};
