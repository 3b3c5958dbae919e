import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { enrol, makeAgreement } from '../purchasing/fixtures.js';
import { expectStatus, JULES_FERRY } from '../education/helpers.js';

const drivers = await testDrivers();

/** Purchasing and education together: a delivered e-education order line becomes the school's assets. */
describe.each(drivers)('a purchase order delivered to a school on %s', (driver) => {
  let t: TestPlatform;
  let smo: ApiClient;
  let clamart: ApiClient;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    [smo, clamart] = await Promise.all([ApiClient.signIn(t.app, 'acheteur@mutualis.demo'), ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo')]);
  });
  afterAll(() => t?.close());

  it('creates one asset per delivered unit, at the delivery school, once per delivery', async () => {
    const { lotId, items } = await makeAgreement(smo);
    const budgetId = await enrol(smo, 'com-92023', 'e-education', 50_000);
    // A school is the territory site of the same id.
    const schools = expectStatus<{ id: string; uai: string }[]>(await clamart.get('/api/education/schools'), 200);
    const school = schools.find((s) => s.uai === JULES_FERRY)!;

    const draft = expectStatus<any>(
      await clamart.post('/api/purchasing/orders', { lotId, title: 'Tablettes Jules Ferry', budgetId, deliverySiteId: school.id, lines: [{ itemId: items.TAB, quantity: 3 }, { itemId: items.VPI, quantity: 1 }] }),
      201,
    );
    expectStatus(await clamart.post(`/api/purchasing/orders/${draft.id}/submit`, {}), 200);
    expectStatus(await smo.post(`/api/purchasing/orders/${draft.id}/validate`, {}), 200);
    const sent = expectStatus<any>(await smo.post(`/api/purchasing/orders/${draft.id}/send`, {}), 200);
    const tablets = sent.lines.find((l: any) => l.itemId === items.TAB);

    // A partial delivery: two of the three tablets, one with its serial given at delivery.
    expectStatus(await clamart.post(`/api/purchasing/orders/${draft.id}/deliveries`, { lines: [{ orderLineId: tablets.id, quantity: 2, serialNumbers: ['INT-TAB-0001'] }] }), 200);
    const assets = expectStatus<any>(await clamart.get(`/api/education/assets?q=${encodeURIComponent(sent.number)}&pageSize=50`), 200);
    expect(assets.total).toBe(2);
    expect(assets.items.every((a: any) => a.type === 'tablet' && a.schoolId === school.id && a.state === 'in_stock')).toBe(true);
    const given = expectStatus<any>(await clamart.get('/api/education/assets/by-serial/INT-TAB-0001'), 200);
    expect(given).toMatchObject({ orderRef: sent.number, unitPrice: 100 });

    // The rest of the order: one tablet and the projector; four assets in all, none twice.
    const projector = sent.lines.find((l: any) => l.itemId === items.VPI);
    expectStatus(await clamart.post(`/api/purchasing/orders/${draft.id}/deliveries`, { lines: [{ orderLineId: tablets.id, quantity: 1 }, { orderLineId: projector.id, quantity: 1 }] }), 200);
    const all = expectStatus<any>(await clamart.get(`/api/education/assets?q=${encodeURIComponent(sent.number)}&pageSize=50`), 200);
    expect(all.total).toBe(4);
    expect(all.items.filter((a: any) => a.type === 'interactive_projector')).toHaveLength(1);
  });
});
