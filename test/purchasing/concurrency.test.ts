import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { AppError } from '../../src/platform/http/errors.js';
import type { AuditActor } from '../../src/platform/audit/audit.service.js';
import { SUPPLIER } from './fixtures.js';

const drivers = await testDrivers();
const BUYER: AuditActor = { id: null, label: 'acheteur@test' };
const PARALLEL = 50;

describe.each(drivers)('purchasing budget under concurrent validations on %s', (driver) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(driver, { seed: false });
  });
  afterAll(() => t?.close());

  it(`lets ${PARALLEL} validations race for one budget and never over-commits it`, async () => {
    const { catalogue, orders } = t.platform.purchasing;
    const agreement = await catalogue.createAgreement(BUYER, {
      reference: 'RACE-1',
      object: 'Concurrence',
      cpvCode: '30213200',
      procedure: "Appel d'offres ouvert",
      notificationDate: '2025-01-01',
      durationMonths: 60,
      priceForm: 'Unitaire',
      priceType: 'Définitif ferme',
      execution: 'purchase_orders',
      tierBasis: 'per_order',
      suppliers: [SUPPLIER],
      lots: [{ code: 'e-education', label: 'Lot', supplierSiret: SUPPLIER.siret, minAmount: 0, maxAmount: 1_000_000 }],
    });
    const lotId = agreement.lots[0]!.id;
    const { item } = await catalogue.putItem(BUYER, lotId, { reference: 'TAB', label: 'Tablette', category: 'tablet', unit: 'unité', unitPriceExclVat: 100.01, vatRate: 20, listPrice: 120 });
    await catalogue.createConvention(BUYER, { reference: 'C-RACE', memberId: 'com-92023', signedOn: '2025-02-01', lots: ['e-education'], contactName: 'C', contactEmail: 'c@example.fr' });
    // Room for exactly 20 orders of 100.01 €.
    const budget = await orders.createBudget(BUYER, { memberId: 'com-92023', year: 2026, programme: 'Course', amount: 2000.2 });
    const site = await t.platform.territory.createSite(BUYER, { kind: 'public_building', name: 'Mairie annexe', address: '1 rue X, 92140 Clamart', longitude: 2.26, latitude: 48.8, memberId: 'com-92023' });

    const ids: string[] = [];
    for (let i = 0; i < PARALLEL; i++) {
      const o = await orders.createOrder(BUYER, { memberId: 'com-92023', lotId, budgetId: budget.id, deliverySiteId: site.id, lines: [{ itemId: item.id, quantity: 1 }] });
      await orders.submit(BUYER, o.id);
      ids.push(o.id);
    }

    const outcomes = await Promise.allSettled(ids.map((id) => orders.validate(BUYER, id, null)));
    const passed = outcomes.filter((o) => o.status === 'fulfilled').length;
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(refused.every((e) => e instanceof AppError && e.statusCode === 409 && e.message.includes('Budget insuffisant'))).toBe(true);
    expect(passed).toBe(20);
    expect(refused).toHaveLength(PARALLEL - 20);

    const after = await orders.getBudget(budget.id);
    expect(after).toMatchObject({ committed: 2000.2, available: 0, level: 'exceeded' });
    const { db } = t.platform.database;
    const validated = await db.selectFrom('purchasing_orders').select((eb) => eb.fn.sum<number>('total_cents').as('sum')).where('budget_id', '=', budget.id).where('status', '=', 'validated').executeTakeFirstOrThrow();
    expect(Number(validated.sum)).toBe(200020);
    const lot = await db.selectFrom('purchasing_lots').select('committed_cents').where('id', '=', lotId).executeTakeFirstOrThrow();
    expect(Number(lot.committed_cents)).toBe(200020);
  });
});
