import fs from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';

export const SAMPLES = path.resolve('src/modules/education/samples');
export const JULES_FERRY = '0921234S';
export const PETIT_CLAMART = '0921235T';
export const sample = (...parts: string[]) => fs.readFileSync(path.join(SAMPLES, ...parts));
export const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');
export const ondeBody = (uai: string, schoolYear: string, files: { pupils: Buffer | string; teachers?: Buffer | string; guardians?: Buffer | string }) => ({
  uai,
  schoolYear,
  files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, b64(v)])),
});
export const sampleOnde = (schoolYear = '2026-2027') =>
  ondeBody(JULES_FERRY, schoolYear, { pupils: sample('onde', JULES_FERRY, 'eleves.csv'), teachers: sample('onde', JULES_FERRY, 'enseignants.csv'), guardians: sample('onde', JULES_FERRY, 'responsables.csv') });

/** The parsed body, failing with the response text when the status is not the one expected. */
export function expectStatus<T = any>(res: LightMyRequestResponse, status: number): T {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

/** A delivery event of the purchasing contract (docs/education.md). */
export function delivery(overrides: Record<string, unknown> = {}, lines?: unknown[]) {
  return {
    orderId: 'order-1',
    orderNumber: 'BC-2026-0420',
    memberId: 'com-92023',
    deliverySiteId: null,
    lotCode: 'e-education',
    agreementReference: 'AC-2025-EDU-01',
    deliveryId: 'delivery-1',
    deliveredAt: '2026-10-15T09:30:00Z',
    supplier: { name: 'Numérique Scolaire SA', siret: '12345678900012' },
    lines: lines ?? [
      { orderLineId: 'line-1', itemReference: 'TAB-10', itemLabel: 'Tablette 10 pouces', category: 'tablet', quantity: 3, unitPriceExclVat: 329.5, serialNumbers: ['DLV-TAB-1', 'DLV-TAB-2'] },
      { orderLineId: 'line-2', itemReference: 'VPI-UCF', itemLabel: 'Vidéoprojecteur interactif', category: 'interactive_projector', quantity: 1, unitPriceExclVat: 2390, serialNumbers: [] },
    ],
    ...overrides,
  };
}
