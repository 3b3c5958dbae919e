import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import type { OrderDeliveredEvent } from '../../src/modules/purchasing/index.js';
import { enrol, makeAgreement, siteOf } from './fixtures.js';

const drivers = await testDrivers();

describe.each(drivers)('purchasing orders on %s', (driver) => {
  let t: TestPlatform;
  let smo: ApiClient;
  let admin: ApiClient;
  let clamart: ApiClient;
  let versailles: ApiClient;
  let vgp: ApiClient;
  let lot: Awaited<ReturnType<typeof makeAgreement>>;
  let clamartBudget: string;
  let versaillesBudget: string;
  let clamartSite: string;
  let versaillesSite: string;

  beforeAll(async () => {
    t = await startTestPlatform(driver);
    const signIn = (who: string) => ApiClient.signIn(t.app, `${who}@mutualis.demo`);
    [smo, admin, clamart, versailles, vgp] = await Promise.all([signIn('acheteur'), signIn('admin'), signIn('admin.clamart'), signIn('agent.versailles'), signIn('admin.vgp')]);
    lot = await makeAgreement(smo);
    clamartBudget = await enrol(smo, 'com-92023', 'e-education', 50_000);
    versaillesBudget = await enrol(smo, 'com-78646', 'e-education', 50_000);
    clamartSite = await siteOf(clamart, 'com-92023');
    versaillesSite = await siteOf(versailles, 'com-78646');
  });
  afterAll(() => t?.close());

  const order = (client: ApiClient, body: Record<string, unknown>) => client.post('/api/purchasing/orders', { lotId: lot.lotId, ...body });
  const count = async () => Number((await t.platform.database.db.selectFrom('purchasing_orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('runs the whole workflow with partial deliveries, attributed, audited and published', async () => {
    const events: { topic: string; memberId: string | null; data: unknown }[] = [];
    const off = t.platform.bus.subscribe('purchasing.order.*', (e) => void events.push(e));

    const created = await order(clamart, { title: 'Tablettes CM2', budgetId: clamartBudget, deliverySiteId: clamartSite, lines: [{ itemId: lot.items.TAB!, quantity: 12 }, { itemId: lot.items.VPI!, quantity: 2 }] });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({ status: 'draft', memberId: 'com-92023', totalExclVat: 12 * 90 + 2 * 1000.5, totalVat: 616.2, totalInclVat: 3697.2 });
    const id: string = draft.id;

    // The SMO validates only what the member submitted; the member's approver submits.
    expect((await smo.post(`/api/purchasing/orders/${id}/validate`)).statusCode).toBe(409);
    expect((await smo.post(`/api/purchasing/orders/${id}/submit`)).statusCode).toBe(403);
    expect((await clamart.post(`/api/purchasing/orders/${id}/submit`)).json().status).toBe('submitted');
    expect((await clamart.post(`/api/purchasing/orders/${id}/validate`)).statusCode).toBe(403);
    const validated = await smo.post(`/api/purchasing/orders/${id}/validate`);
    expect(validated.statusCode, validated.body).toBe(200);
    expect(validated.json().order).toMatchObject({ status: 'validated', committedAmount: 3081 });
    expect((await smo.get('/api/purchasing/budgets?memberId=com-92023')).json().find((b: { id: string }) => b.id === clamartBudget)).toMatchObject({ committed: 3081, consumed: 0, available: 50_000 - 3081 });

    const sent = (await smo.post(`/api/purchasing/orders/${id}/send`)).json();
    expect(sent).toMatchObject({ status: 'sent', number: expect.stringMatching(/^BC-\d{4}-\d{6}$/) });
    expect((await clamart.post(`/api/purchasing/orders/${id}/cancel`, { reason: 'trop tard' })).statusCode).toBe(409);
    const printable = await clamart.get(`/api/purchasing/orders/${id}/purchase-order`);
    expect(printable.headers['content-type']).toContain('text/html');
    expect(printable.body).toContain(sent.number);
    expect(printable.body).toMatch(/3\s697,20 €/);

    const tab = sent.lines.find((l: { itemReference: string }) => l.itemReference === 'TAB');
    const vpi = sent.lines.find((l: { itemReference: string }) => l.itemReference === 'VPI');
    const tooMany = await clamart.post(`/api/purchasing/orders/${id}/deliveries`, { lines: [{ orderLineId: tab.id, quantity: 13 }] });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().error.message).toContain('reste à livrer : 12');

    const first = await clamart.post(`/api/purchasing/orders/${id}/deliveries`, { note: 'Premier carton', lines: [{ orderLineId: tab.id, quantity: 5, serialNumbers: ['SN1', 'SN2'] }] });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'partially_delivered', committedAmount: 3081 - 450 });
    const second = await clamart.post(`/api/purchasing/orders/${id}/deliveries`, { lines: [{ orderLineId: tab.id, quantity: 7 }, { orderLineId: vpi.id, quantity: 2 }] });
    expect(second.json()).toMatchObject({ status: 'delivered', committedAmount: 0 });
    expect((await smo.get('/api/purchasing/budgets?memberId=com-92023')).json().find((b: { id: string }) => b.id === clamartBudget)).toMatchObject({ committed: 0, consumed: 3081 });

    const invoiced = await smo.post(`/api/purchasing/orders/${id}/invoice`, { invoiceNumber: 'F-1', amount: 3697.2, chorusInvoiceId: 'CPP-1', chorusEngagement: 'EJ-1' });
    expect(invoiced.json()).toMatchObject({ status: 'invoiced', invoice: { number: 'F-1', amount: 3697.2, chorusInvoiceId: 'CPP-1', chorusEngagement: 'EJ-1' } });
    const closed = (await smo.post(`/api/purchasing/orders/${id}/close`)).json();
    off();
    expect(closed.status).toBe('closed');
    expect(closed.timeline.map((e: { verb: string; actor: string }) => `${e.verb}:${e.actor}`)).toEqual([
      'created:admin.clamart@mutualis.demo',
      'submitted:admin.clamart@mutualis.demo',
      'validated:acheteur@mutualis.demo',
      'sent:acheteur@mutualis.demo',
      'delivered:admin.clamart@mutualis.demo',
      'delivered:admin.clamart@mutualis.demo',
      'invoiced:acheteur@mutualis.demo',
      'closed:acheteur@mutualis.demo',
    ]);
    expect(closed.deliveries).toHaveLength(2);

    expect(events.map((e) => e.topic)).toEqual(['created', 'submitted', 'validated', 'sent', 'delivered', 'delivered', 'invoiced', 'closed'].map((v) => `purchasing.order.${v}`));
    const delivered = events.filter((e) => e.topic === 'purchasing.order.delivered').map((e) => e.data as OrderDeliveredEvent);
    expect(delivered[0]).toEqual({
      orderId: id,
      orderNumber: sent.number,
      memberId: 'com-92023',
      deliverySiteId: clamartSite,
      lotCode: 'e-education',
      agreementReference: lot.reference,
      deliveryId: closed.deliveries[0].id,
      deliveredAt: closed.deliveries[0].deliveredAt,
      supplier: { name: 'Fournisseur de test', siret: '73282932000074' },
      lines: [{ orderLineId: tab.id, itemReference: 'TAB', itemLabel: 'Tablette de test', category: 'tablet', quantity: 5, unitPriceExclVat: 90, serialNumbers: ['SN1', 'SN2'] }],
    });
    expect(delivered[1]!.lines.map((l) => [l.itemReference, l.quantity, l.unitPriceExclVat])).toEqual([
      ['TAB', 7, 90],
      ['VPI', 2, 1000.5],
    ]);
    expect(delivered[1]!.deliveryId).not.toBe(delivered[0]!.deliveryId);

    const audit = await t.platform.database.db.selectFrom('audit_log').select(['action', 'actor_label']).where('entity_id', '=', id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['created', 'submitted', 'validated', 'sent', 'delivered', 'delivered', 'invoiced', 'closed'].map((v) => `purchasing.order_${v}`));
  });

  it('refuses bad orders with a clear error and writes nothing', async () => {
    const before = await count();
    const line = (itemId: string, quantity: number) => ({ budgetId: clamartBudget, deliverySiteId: clamartSite, lines: [{ itemId, quantity }] });

    const zero = await order(clamart, line(lot.items.TAB!, 0));
    expect(zero.statusCode).toBe(422);
    expect(zero.json().error.details[0].field).toBe('/body/lines/0/quantity');
    expect((await order(clamart, line(lot.items.TAB!, -3))).statusCode).toBe(422);

    const unknown = await order(clamart, line('6f1c1a3e-1111-4222-8333-944455556666', 1));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.message).toContain('article inconnu dans ce lot');

    await admin.patch(`/api/purchasing/items/${lot.items.VPI}`, { withdrawn: true });
    const withdrawn = await order(clamart, line(lot.items.VPI!, 1));
    expect(withdrawn.statusCode).toBe(422);
    expect(withdrawn.json().error.message).toContain('retiré du catalogue');
    await admin.patch(`/api/purchasing/items/${lot.items.VPI}`, { withdrawn: false });

    const forOther = await order(versailles, { ...line(lot.items.TAB!, 1), memberId: 'com-92023' });
    expect(forOther.statusCode).toBe(403);

    const noConvention = await order(vgp, { lines: [{ itemId: lot.items.TAB!, quantity: 1 }] });
    expect(noConvention.statusCode).toBe(403);
    expect(noConvention.json().error).toMatchObject({ code: 'no_convention', message: expect.stringContaining('convention') });

    const ended = await makeAgreement(smo, { notificationDate: '2020-01-01', durationMonths: 12 });
    const late = await clamart.post('/api/purchasing/orders', { lotId: ended.lotId, lines: [{ itemId: ended.items.TAB!, quantity: 1 }] });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/a pris fin le 2021-01-01/);

    const small = await makeAgreement(smo, { maxAmount: 500 });
    const beyond = await clamart.post('/api/purchasing/orders', { lotId: small.lotId, lines: [{ itemId: small.items.TAB!, quantity: 6 }] });
    expect(beyond.statusCode).toBe(409);
    expect(beyond.json().error.message).toContain('maximum du lot');

    const badSite = await order(clamart, { ...line(lot.items.TAB!, 1), deliverySiteId: versaillesSite });
    expect(badSite.statusCode).toBe(422);
    const duplicate = await order(clamart, { lines: [{ itemId: lot.items.TAB!, quantity: 1 }, { itemId: lot.items.TAB!, quantity: 2 }] });
    expect(duplicate.statusCode).toBe(422);

    expect(await count()).toBe(before);
  });

  it('keeps each member to its own orders', async () => {
    const mine = (await order(clamart, { lines: [{ itemId: lot.items.TAB!, quantity: 1 }] })).json();
    const theirs = (await order(versailles, { lines: [{ itemId: lot.items.TAB!, quantity: 1 }] })).json();

    const seenByVersailles = (await versailles.get('/api/purchasing/orders?pageSize=200')).json();
    expect(seenByVersailles.items.every((o: { memberId: string }) => o.memberId === 'com-78646')).toBe(true);
    expect(seenByVersailles.items.map((o: { id: string }) => o.id)).toContain(theirs.id);
    expect((await versailles.get(`/api/purchasing/orders/${mine.id}`)).statusCode).toBe(404);
    expect((await versailles.get(`/api/purchasing/orders/${mine.id}/purchase-order`)).statusCode).toBe(404);
    expect((await versailles.post(`/api/purchasing/orders/${mine.id}/cancel`, { reason: 'x' })).statusCode).toBe(404);
    expect((await versailles.get('/api/purchasing/orders?memberId=com-92023')).json().total).toBe(0);

    // The intercommunality's administrator sees and approves its communes' orders (Versailles is in its tree).
    expect((await vgp.get(`/api/purchasing/orders/${theirs.id}`)).statusCode).toBe(200);
    expect((await vgp.get(`/api/purchasing/orders/${mine.id}`)).statusCode).toBe(404);
    // An agent prepares drafts; only the approver submits.
    expect((await versailles.post(`/api/purchasing/orders/${theirs.id}/submit`)).statusCode).toBe(403);

    const technician = await ApiClient.signIn(t.app, 'technicien@mutualis.demo');
    expect((await technician.get('/api/purchasing/orders')).statusCode).toBe(403);
    const auditor = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect((await auditor.get(`/api/purchasing/orders/${mine.id}`)).statusCode).toBe(200);
    expect((await auditor.post(`/api/purchasing/orders/${mine.id}/cancel`, { reason: 'x' })).statusCode).toBe(403);

    const search = (await smo.get(`/api/purchasing/orders?q=${encodeURIComponent('clamart')}&status=draft&pageSize=200`)).json();
    expect(search.items.map((o: { id: string }) => o.id)).toContain(mine.id);
    expect(search.items.every((o: { memberName: string; status: string }) => o.status === 'draft')).toBe(true);
  });

  it('prices at the tier reached by the pooled volume, and shows what pooling brought', async () => {
    const pooled = await makeAgreement(smo);
    const submitAndValidate = async (client: ApiClient, approver: ApiClient, budgetId: string, siteId: string, quantity: number) => {
      const o = (await client.post('/api/purchasing/orders', { lotId: pooled.lotId, budgetId, deliverySiteId: siteId, lines: [{ itemId: pooled.items.TAB!, quantity }] })).json();
      expect((await approver.post(`/api/purchasing/orders/${o.id}/submit`)).statusCode).toBe(200);
      return (await smo.post(`/api/purchasing/orders/${o.id}/validate`)).json().order;
    };
    // Clamart alone reaches the 10-unit tier; Versailles' 8 units bring the pooled volume to 23, the 20-unit tier.
    const a = await submitAndValidate(clamart, clamart, clamartBudget, clamartSite, 15);
    expect(a.lines[0].unitPriceExclVat).toBe(90);
    const b = await submitAndValidate(versailles, vgp, versaillesBudget, versaillesSite, 8);
    expect(b.lines[0].unitPriceExclVat).toBe(80);

    const savings = (await smo.get(`/api/purchasing/savings?memberId=com-78646&lotCode=e-education`)).json();
    const row = savings.find((r: { year: number }) => r.year === new Date().getUTCFullYear());
    expect(row).toBeDefined();
    // Versailles' savings include this order: 8 × (150 − 80) against list, 8 × (100 − 80) from pooling.
    expect(row.savings).toBeGreaterThanOrEqual(560);
    expect(row.poolingGain).toBeGreaterThanOrEqual(160);
    expect((await versailles.get('/api/purchasing/savings?memberId=com-92023')).json()).toEqual([]);
  });

  it('refuses a validation beyond the budget unless the SMO administrator overrides it with a reason', async () => {
    const own = await makeAgreement(smo);
    const tight = await enrol(smo, 'com-92023', 'e-education', 1000);
    const o = (await clamart.post('/api/purchasing/orders', { lotId: own.lotId, budgetId: tight, deliverySiteId: clamartSite, lines: [{ itemId: own.items.TAB!, quantity: 9 }] })).json();
    await clamart.post(`/api/purchasing/orders/${o.id}/submit`);
    const fits = await smo.post(`/api/purchasing/orders/${o.id}/validate`);
    expect(fits.statusCode).toBe(200);
    expect(fits.json().warnings[0]).toContain('90 %');

    const more = (await clamart.post('/api/purchasing/orders', { lotId: own.lotId, budgetId: tight, deliverySiteId: clamartSite, lines: [{ itemId: own.items.TAB!, quantity: 2 }] })).json();
    await clamart.post(`/api/purchasing/orders/${more.id}/submit`);
    const refused = await smo.post(`/api/purchasing/orders/${more.id}/validate`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('Budget insuffisant');
    expect((await smo.post(`/api/purchasing/orders/${more.id}/validate`, { override: { reason: 'urgence' } })).statusCode).toBe(403);
    const forced = await admin.post(`/api/purchasing/orders/${more.id}/validate`, { override: { reason: 'Décision du bureau du 12 novembre' } });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json().order.overrideReason).toBe('Décision du bureau du 12 novembre');
    const budget = (await smo.get('/api/purchasing/budgets?memberId=com-92023')).json().find((b: { id: string }) => b.id === tight);
    expect(budget).toMatchObject({ committed: fits.json().order.totalExclVat + forced.json().order.totalExclVat, level: 'exceeded' });
    const audit = await t.platform.database.db.selectFrom('audit_log').select('summary').where('entity_id', '=', more.id).where('action', '=', 'purchasing.order_validated').executeTakeFirstOrThrow();
    expect(audit.summary).toMatchObject({ override: 'Décision du bureau du 12 novembre' });

    // Cancelling a validated order gives its commitment back.
    const cancelled = await clamart.post(`/api/purchasing/orders/${more.id}/cancel`, { reason: 'Reportée' });
    expect(cancelled.json().status).toBe('cancelled');
    expect((await smo.get('/api/purchasing/budgets?memberId=com-92023')).json().find((b: { id: string }) => b.id === tight).committed).toBe(fits.json().order.totalExclVat);
  });
});
