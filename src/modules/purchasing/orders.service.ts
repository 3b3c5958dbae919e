import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db, Tables } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { AppError, conflict, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import type { CatalogueService } from './catalogue.service.js';
import { tierPrice, toCents, toEuros, vatOf, type Tier } from './pricing.js';
import { COMMITTED_STATUSES, type LotCode, type OrderStatus } from './purchasing.tables.js';

type Trx = Transaction<Tables>;
type Executor = Db | Trx;

/** The payload of `purchasing.order.delivered`, the contract with the education module (see docs/purchasing.md). */
export interface OrderDeliveredEvent {
  orderId: string;
  orderNumber: string;
  memberId: string;
  deliverySiteId: string | null;
  lotCode: LotCode;
  agreementReference: string;
  deliveryId: string;
  deliveredAt: string;
  supplier: { name: string; siret: string };
  lines: Array<{
    orderLineId: string;
    itemReference: string;
    itemLabel: string;
    category: string;
    quantity: number;
    unitPriceExclVat: number;
    serialNumbers: string[];
  }>;
}

export interface OrderLine {
  id: string;
  itemId: string;
  itemReference: string;
  itemLabel: string;
  category: string;
  unit: string;
  quantity: number;
  deliveredQuantity: number;
  unitPriceExclVat: number;
  listPrice: number;
  vatRate: number;
  totalExclVat: number;
}

export interface OrderSummary {
  id: string;
  number: string | null;
  title: string;
  memberId: string;
  memberName: string;
  lotId: string;
  lotCode: LotCode;
  agreementReference: string;
  status: OrderStatus;
  totalExclVat: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Order extends OrderSummary {
  agreementId: string;
  supplier: { name: string; siret: string };
  budgetId: string | null;
  budgetLabel: string | null;
  deliverySiteId: string | null;
  deliverySiteName: string | null;
  deliverySiteAddress: string | null;
  totalVat: number;
  totalInclVat: number;
  committedAmount: number;
  overrideReason: string | null;
  validatedAt: string | null;
  invoice: { number: string; amount: number; chorusInvoiceId: string; chorusEngagement: string | null } | null;
  lines: OrderLine[];
  deliveries: { id: string; deliveredAt: string; recordedBy: string; note: string; lines: { orderLineId: string; quantity: number; serialNumbers: string[] }[] }[];
  timeline: { verb: string; at: string; actor: string; details: unknown }[];
}

export interface OrderInput {
  memberId: string;
  lotId: string;
  title?: string | undefined;
  budgetId?: string | null | undefined;
  deliverySiteId?: string | null | undefined;
  lines: { itemId: string; quantity: number }[];
}

export interface Budget {
  id: string;
  memberId: string;
  memberName: string;
  year: number;
  programme: string;
  amount: number;
  committed: number;
  consumed: number;
  available: number;
  /** (committed + consumed) / amount. */
  usage: number;
  /** ok under 80 %, warning from 80 %, exceeded from 100 %. */
  level: 'ok' | 'warning' | 'exceeded';
}

export interface SavingsRow {
  memberId: string;
  memberName: string;
  lotCode: LotCode;
  year: number;
  quantity: number;
  listAmount: number;
  paidAmount: number;
  soloAmount: number;
  savings: number;
  poolingGain: number;
}

const SEARCH_TEXT = foldedSql(`coalesce(o.number, '') || ' ' || o.title || ' ' || m.name`);

const levelOf = (usage: number): Budget['level'] => (usage >= 1 ? 'exceeded' : usage >= 0.8 ? 'warning' : 'ok');
const euroText = (cents: number) => `${(cents / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;

/** Statuses from which each step may be taken. */
const STEP_FROM: Record<string, OrderStatus[]> = {
  update: ['draft'],
  submit: ['draft'],
  validate: ['submitted'],
  send: ['validated'],
  deliver: ['sent', 'partially_delivered'],
  invoice: ['delivered'],
  close: ['invoiced'],
  cancel: ['draft', 'submitted', 'validated'],
};
const STATUS_LABELS: Record<OrderStatus, string> = {
  draft: 'brouillon',
  submitted: 'soumise',
  validated: 'validée',
  sent: 'envoyée au fournisseur',
  partially_delivered: 'partiellement livrée',
  delivered: 'livrée',
  invoiced: 'facturée',
  closed: 'clôturée',
  cancelled: 'annulée',
};

export class OrderService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly catalogue: CatalogueService,
  ) {}

  // ---- Pricing

  /**
   * Unit prices of lines at this moment: the tier reached by the pooled volume (all members' committed
   * orders of the agreement plus this line) or by the line alone, as the agreement says; and the tier
   * the member's own volume would have reached, for the savings.
   */
  private async priceLines<L extends { item_id: string; quantity: number }>(executor: Executor, memberId: string, lotId: string, orderId: string | null, lines: L[]) {
    const itemIds = lines.map((l) => l.item_id);
    const [lot, items, tiers, volumes] = await Promise.all([
      executor.selectFrom('purchasing_lots as l').innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id').select(['a.tier_basis']).where('l.id', '=', lotId).executeTakeFirstOrThrow(),
      executor.selectFrom('purchasing_items').select(['id', 'unit_price_cents', 'list_price_cents', 'vat_rate_bp']).where('id', 'in', itemIds).execute(),
      executor.selectFrom('purchasing_price_tiers').selectAll().where('item_id', 'in', itemIds).execute(),
      executor
        .selectFrom('purchasing_order_lines as ol')
        .innerJoin('purchasing_orders as o', 'o.id', 'ol.order_id')
        .select((eb) => [
          'ol.item_id',
          eb.fn.sum<number>('ol.quantity').as('pooled'),
          eb.fn.sum<number>(sql`case when o.member_id = ${memberId} then ol.quantity else 0 end`).as('own'),
        ])
        .where('ol.item_id', 'in', itemIds)
        .where('o.status', 'in', COMMITTED_STATUSES)
        .$if(orderId !== null, (q) => q.where('o.id', '!=', orderId!))
        .groupBy('ol.item_id')
        .execute(),
    ]);
    const cumulative = lot.tier_basis === 'cumulative';
    return lines.map((line) => {
      const item = items.find((i) => i.id === line.item_id)!;
      const itemTiers: Tier[] = tiers.filter((t) => t.item_id === line.item_id).map((t) => ({ minQuantity: t.min_quantity, unitPriceCents: Number(t.unit_price_cents) }));
      const volume = volumes.find((v) => v.item_id === line.item_id);
      const pooled = cumulative ? Number(volume?.pooled ?? 0) + line.quantity : line.quantity;
      const own = cumulative ? Number(volume?.own ?? 0) + line.quantity : line.quantity;
      return {
        ...line,
        unit_price_cents: tierPrice(Number(item.unit_price_cents), itemTiers, pooled),
        solo_unit_price_cents: tierPrice(Number(item.unit_price_cents), itemTiers, own),
        list_price_cents: Number(item.list_price_cents),
      };
    });
  }

  // ---- Orders

  /** Checks an order's member, lot, items and quantities; throws what the member must fix. */
  private async checkOrder(executor: Executor, input: OrderInput) {
    const lot = await executor
      .selectFrom('purchasing_lots as l')
      .innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id')
      .select(['l.id', 'l.code', 'l.max_cents', 'l.committed_cents', 'a.reference', 'a.end_date', 'a.notification_date', 'a.execution'])
      .where('l.id', '=', input.lotId)
      .executeTakeFirst();
    if (!lot) throw validationFailed([{ field: '/body/lotId', message: 'lot inconnu' }]);
    const today = new Date().toISOString().slice(0, 10);
    if (lot.end_date < today) throw conflict(`L’accord-cadre ${lot.reference} a pris fin le ${lot.end_date} : il ne peut plus recevoir de commande.`);
    if (lot.notification_date > today) throw conflict(`L’accord-cadre ${lot.reference} n’est pas encore notifié (notification le ${lot.notification_date}).`);
    if (!(await this.catalogue.coversLot(executor, input.memberId, lot.code))) {
      throw new AppError(403, 'no_convention', `Le membre ${input.memberId} n’a pas de convention d’adhésion à la centrale d’achat couvrant le lot ${lot.code}.`);
    }
    const errors: FieldError[] = [];
    if (input.lines.length === 0) errors.push({ field: '/body/lines', message: 'au moins une ligne' });
    const items = input.lines.length === 0 ? [] : await executor.selectFrom('purchasing_items').select(['id', 'lot_id', 'withdrawn', 'reference']).where('id', 'in', input.lines.map((l) => l.itemId)).execute();
    const seen = new Set<string>();
    input.lines.forEach((line, i) => {
      const item = items.find((it) => it.id === line.itemId);
      if (!Number.isInteger(line.quantity) || line.quantity <= 0) errors.push({ field: `/body/lines/${i}/quantity`, message: 'quantité entière strictement positive' });
      if (!item || item.lot_id !== lot.id) errors.push({ field: `/body/lines/${i}/itemId`, message: 'article inconnu dans ce lot' });
      else if (item.withdrawn) errors.push({ field: `/body/lines/${i}/itemId`, message: `article ${item.reference} retiré du catalogue` });
      if (seen.has(line.itemId)) errors.push({ field: `/body/lines/${i}/itemId`, message: 'article en double : regroupez les quantités' });
      seen.add(line.itemId);
    });
    if (input.deliverySiteId) {
      const site = await executor.selectFrom('sites').select('member_id').where('id', '=', input.deliverySiteId).executeTakeFirst();
      if (!site || site.member_id !== input.memberId) errors.push({ field: '/body/deliverySiteId', message: 'site de livraison inconnu pour ce membre' });
    }
    if (input.budgetId) {
      const budget = await executor.selectFrom('purchasing_budgets').select('member_id').where('id', '=', input.budgetId).executeTakeFirst();
      if (!budget || budget.member_id !== input.memberId) errors.push({ field: '/body/budgetId', message: 'enveloppe budgétaire inconnue pour ce membre' });
    }
    if (errors.length > 0) throw validationFailed(errors);
    return lot;
  }

  private lotCeiling(lot: { code: string; reference: string; max_cents: number; committed_cents: number }, total: number): string | null {
    const committed = Number(lot.committed_cents);
    const max = Number(lot.max_cents);
    if (committed + total <= max) return null;
    return `Le maximum du lot ${lot.code} de l’accord-cadre ${lot.reference} (${euroText(max)}) serait dépassé : ${euroText(committed)} déjà engagés, ${euroText(total)} demandés.`;
  }

  private async writeLines(trx: Trx, orderId: string, input: OrderInput): Promise<number> {
    const priced = await this.priceLines(trx, input.memberId, input.lotId, orderId, input.lines.map((l) => ({ item_id: l.itemId, quantity: l.quantity })));
    await trx.deleteFrom('purchasing_order_lines').where('order_id', '=', orderId).execute();
    await trx.insertInto('purchasing_order_lines').values(priced.map((p) => ({ id: randomUUID(), order_id: orderId, ...p }))).execute();
    return priced.reduce((sum, p) => sum + p.unit_price_cents * p.quantity, 0);
  }

  /** Recomputes the folded text the order search reads, after a change of title or number. */
  private async refreshSearchText(trx: Trx, id: string): Promise<void> {
    await sql`update purchasing_orders o set search_text = ${sql.raw(SEARCH_TEXT)} from members m where m.id = o.member_id and o.id = ${id}`.execute(trx);
  }

  private async event(trx: Trx, actor: AuditActor, orderId: string, memberId: string, verb: string, details: Record<string, unknown> = {}): Promise<void> {
    await trx.insertInto('purchasing_order_events').values({ order_id: orderId, verb, actor_label: actor.label, details: JSON.stringify(details) }).execute();
    await appendAudit(trx, { actor, action: `purchasing.order_${verb}`, entityType: 'purchasing_order', entityId: orderId, memberId, summary: details });
  }

  private async publish(verb: string, order: Order, extra: Record<string, unknown> = {}): Promise<void> {
    await this.bus.publish({ topic: `purchasing.order.${verb}`, memberId: order.memberId, data: { id: order.id, number: order.number, status: order.status, totalExclVat: order.totalExclVat, ...extra } });
  }

  async createOrder(actor: AuditActor, input: OrderInput): Promise<Order> {
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const lot = await this.checkOrder(trx, input);
      await trx
        .insertInto('purchasing_orders')
        .values({
          id,
          member_id: input.memberId,
          lot_id: input.lotId,
          budget_id: input.budgetId ?? null,
          delivery_site_id: input.deliverySiteId ?? null,
          status: 'draft',
          title: input.title?.trim() || `Commande sur le lot ${lot.code}`,
          created_by: actor.label,
        })
        .execute();
      const total = await this.writeLines(trx, id, input);
      const ceiling = this.lotCeiling(lot, total);
      if (ceiling) throw conflict(ceiling);
      await trx.updateTable('purchasing_orders').set({ total_cents: total }).where('id', '=', id).execute();
      await this.refreshSearchText(trx, id);
      await this.event(trx, actor, id, input.memberId, 'created', { lines: input.lines.length, totalExclVat: toEuros(total) });
    });
    const order = await this.getOrder(id);
    await this.publish('created', order);
    return order;
  }

  /** Locks the order and checks that the step may be taken from its status. */
  private async lockOrder(trx: Trx, id: string, step: keyof typeof STEP_FROM) {
    const order = await trx.selectFrom('purchasing_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!order) throw notFound('Commande');
    if (!STEP_FROM[step]!.includes(order.status)) {
      throw conflict(`Étape impossible : la commande est ${STATUS_LABELS[order.status]} (attendu : ${STEP_FROM[step]!.map((s) => STATUS_LABELS[s]).join(' ou ')}).`);
    }
    return order;
  }

  async updateDraft(actor: AuditActor, id: string, changes: Partial<Omit<OrderInput, 'memberId' | 'lotId'>>): Promise<Order> {
    await this.db.transaction().execute(async (trx) => {
      const before = await this.lockOrder(trx, id, 'update');
      const currentLines = await trx.selectFrom('purchasing_order_lines').select(['item_id as itemId', 'quantity']).where('order_id', '=', id).execute();
      const input: OrderInput = {
        memberId: before.member_id,
        lotId: before.lot_id,
        title: changes.title ?? before.title,
        budgetId: changes.budgetId === undefined ? before.budget_id : changes.budgetId,
        deliverySiteId: changes.deliverySiteId === undefined ? before.delivery_site_id : changes.deliverySiteId,
        lines: changes.lines ?? currentLines,
      };
      const lot = await this.checkOrder(trx, input);
      const total = await this.writeLines(trx, id, input);
      const ceiling = this.lotCeiling(lot, total);
      if (ceiling) throw conflict(ceiling);
      await trx
        .updateTable('purchasing_orders')
        .set({ title: input.title!.trim() || before.title, budget_id: input.budgetId ?? null, delivery_site_id: input.deliverySiteId ?? null, total_cents: total, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await this.refreshSearchText(trx, id);
      await this.event(trx, actor, id, before.member_id, 'updated', { changes: Object.keys(changes), totalExclVat: toEuros(total) });
    });
    const order = await this.getOrder(id);
    await this.publish('updated', order);
    return order;
  }

  async submit(actor: AuditActor, id: string): Promise<Order> {
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'submit');
      const errors: FieldError[] = [];
      if (!order.budget_id) errors.push({ field: '/body/budgetId', message: 'choisissez l’enveloppe budgétaire qui finance la commande' });
      if (!order.delivery_site_id) errors.push({ field: '/body/deliverySiteId', message: 'choisissez le site de livraison' });
      if (errors.length > 0) throw validationFailed(errors);
      const lines = await trx.selectFrom('purchasing_order_lines').select(['item_id as itemId', 'quantity']).where('order_id', '=', id).execute();
      // The catalogue or the agreement may have changed since the draft: check again.
      await this.checkOrder(trx, { memberId: order.member_id, lotId: order.lot_id, budgetId: order.budget_id, deliverySiteId: order.delivery_site_id, lines });
      await trx.updateTable('purchasing_orders').set({ status: 'submitted', updated_at: new Date() }).where('id', '=', id).execute();
      await this.event(trx, actor, id, order.member_id, 'submitted');
    });
    const order = await this.getOrder(id);
    await this.publish('submitted', order);
    return order;
  }

  /**
   * The SMO's validation: prices the lines at the tier the pooled volume reaches now, then commits the
   * total on the member's budget and on the lot's maximum. The order, lot and budget rows are locked in
   * this order by every step that touches them, so that concurrent validations queue instead of both
   * spending the last euros (and never deadlock).
   */
  async validate(actor: AuditActor, id: string, override: { reason: string } | null): Promise<{ order: Order; warnings: string[] }> {
    const warnings: string[] = [];
    let budgetEvent: { id: string; level: Budget['level']; usage: number } | null = null;
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'validate');
      const lot = await trx
        .selectFrom('purchasing_lots as l')
        .innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id')
        .select(['l.id', 'l.code', 'l.max_cents', 'l.committed_cents', 'a.reference', 'a.end_date'])
        .where('l.id', '=', order.lot_id)
        .forUpdate('l')
        .executeTakeFirstOrThrow();
      if (lot.end_date < new Date().toISOString().slice(0, 10)) throw conflict(`L’accord-cadre ${lot.reference} a pris fin le ${lot.end_date}.`);
      const lines = await trx.selectFrom('purchasing_order_lines').select(['id', 'item_id', 'quantity']).where('order_id', '=', id).execute();
      const priced = await this.priceLines(trx, order.member_id, order.lot_id, id, lines);
      for (const p of priced) {
        await trx.updateTable('purchasing_order_lines').set({ unit_price_cents: p.unit_price_cents, solo_unit_price_cents: p.solo_unit_price_cents, list_price_cents: p.list_price_cents }).where('id', '=', p.id).execute();
      }
      const total = priced.reduce((sum, p) => sum + p.unit_price_cents * p.quantity, 0);
      if (!order.budget_id) throw conflict('La commande n’a pas d’enveloppe budgétaire.');
      const budget = await trx.selectFrom('purchasing_budgets').selectAll().where('id', '=', order.budget_id).forUpdate().executeTakeFirstOrThrow();
      const spent = Number(budget.committed_cents) + Number(budget.consumed_cents);
      const refusals: string[] = [];
      if (spent + total > Number(budget.amount_cents)) {
        refusals.push(`Budget insuffisant sur l’enveloppe « ${budget.programme} » ${budget.year} : ${euroText(Number(budget.amount_cents) - spent)} disponibles, ${euroText(total)} demandés.`);
      }
      const ceiling = this.lotCeiling(lot, total);
      if (ceiling) refusals.push(ceiling);
      if (refusals.length > 0 && !override) throw new AppError(409, 'budget_exceeded', `${refusals.join(' ')} Seul l’administrateur du syndicat peut passer outre, avec un motif.`);
      await trx.updateTable('purchasing_budgets').set({ committed_cents: sql`committed_cents + ${total}` }).where('id', '=', budget.id).execute();
      await trx.updateTable('purchasing_lots').set({ committed_cents: sql`committed_cents + ${total}` }).where('id', '=', lot.id).execute();
      await trx
        .updateTable('purchasing_orders')
        .set({ status: 'validated', total_cents: total, committed_cents: total, validated_at: new Date(), override_reason: refusals.length > 0 ? override!.reason : null, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await this.event(trx, actor, id, order.member_id, 'validated', { totalExclVat: toEuros(total), ...(refusals.length > 0 && { override: override!.reason, refusals }) });
      const usageBefore = spent / Number(budget.amount_cents || 1);
      const usage = (spent + total) / Number(budget.amount_cents || 1);
      if (levelOf(usage) !== 'ok') {
        warnings.push(`L’enveloppe « ${budget.programme} » ${budget.year} est consommée ou engagée à ${Math.floor(usage * 100)} %.`);
        if (levelOf(usage) !== levelOf(usageBefore)) budgetEvent = { id: budget.id, level: levelOf(usage), usage };
      }
    });
    const order = await this.getOrder(id);
    await this.publish('validated', order, { warnings });
    if (budgetEvent) await this.bus.publish({ topic: 'purchasing.budget.threshold', memberId: order.memberId, data: budgetEvent });
    return { order, warnings };
  }

  async send(actor: AuditActor, id: string): Promise<Order> {
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'send');
      const { seq } = (await sql<{ seq: number }>`select nextval('purchasing_order_number_seq')::int as seq`.execute(trx)).rows[0]!;
      const number = `BC-${new Date().getUTCFullYear()}-${String(seq).padStart(6, '0')}`;
      await trx.updateTable('purchasing_orders').set({ status: 'sent', number, updated_at: new Date() }).where('id', '=', id).execute();
      await this.refreshSearchText(trx, id);
      await this.event(trx, actor, id, order.member_id, 'sent', { number });
    });
    const order = await this.getOrder(id);
    await this.publish('sent', order);
    return order;
  }

  /** Records a delivery (service fait): quantities per line, moving their value from commitment to consumption. */
  async deliver(actor: AuditActor, id: string, input: { deliveredAt?: string | undefined; note?: string | undefined; lines: { orderLineId: string; quantity: number; serialNumbers?: string[] | undefined }[] }): Promise<Order> {
    const deliveryId = randomUUID();
    const deliveredAt = input.deliveredAt ? new Date(input.deliveredAt) : new Date();
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'deliver');
      const lines = await trx.selectFrom('purchasing_order_lines').selectAll().where('order_id', '=', id).execute();
      const errors: FieldError[] = [];
      if (input.lines.length === 0) errors.push({ field: '/body/lines', message: 'au moins une ligne livrée' });
      const seen = new Set<string>();
      input.lines.forEach((l, i) => {
        const line = lines.find((x) => x.id === l.orderLineId);
        if (!line) errors.push({ field: `/body/lines/${i}/orderLineId`, message: 'ligne inconnue dans cette commande' });
        else if (l.quantity > line.quantity - line.delivered_quantity) errors.push({ field: `/body/lines/${i}/quantity`, message: `reste à livrer : ${line.quantity - line.delivered_quantity}` });
        if (l.quantity <= 0 || !Number.isInteger(l.quantity)) errors.push({ field: `/body/lines/${i}/quantity`, message: 'quantité entière strictement positive' });
        if ((l.serialNumbers?.length ?? 0) > l.quantity) errors.push({ field: `/body/lines/${i}/serialNumbers`, message: 'plus de numéros de série que d’unités livrées' });
        if (seen.has(l.orderLineId)) errors.push({ field: `/body/lines/${i}/orderLineId`, message: 'ligne en double' });
        seen.add(l.orderLineId);
      });
      if (deliveredAt.getTime() > Date.now() + 60_000) errors.push({ field: '/body/deliveredAt', message: 'une livraison ne peut être datée dans le futur' });
      if (errors.length > 0) throw validationFailed(errors);
      const value = input.lines.reduce((sum, l) => sum + l.quantity * Number(lines.find((x) => x.id === l.orderLineId)!.unit_price_cents), 0);
      if (order.budget_id) {
        await trx.selectFrom('purchasing_budgets').select('id').where('id', '=', order.budget_id).forUpdate().execute();
        await trx.updateTable('purchasing_budgets').set({ committed_cents: sql`committed_cents - ${value}`, consumed_cents: sql`consumed_cents + ${value}` }).where('id', '=', order.budget_id).execute();
      }
      await trx.insertInto('purchasing_deliveries').values({ id: deliveryId, order_id: id, delivered_at: deliveredAt, recorded_by: actor.label, note: input.note?.trim() ?? '' }).execute();
      await trx.insertInto('purchasing_delivery_lines').values(input.lines.map((l) => ({ delivery_id: deliveryId, order_line_id: l.orderLineId, quantity: l.quantity, serial_numbers: l.serialNumbers ?? [] }))).execute();
      for (const l of input.lines) {
        await trx.updateTable('purchasing_order_lines').set({ delivered_quantity: sql`delivered_quantity + ${l.quantity}` }).where('id', '=', l.orderLineId).execute();
      }
      const complete = lines.every((line) => line.delivered_quantity + (input.lines.find((l) => l.orderLineId === line.id)?.quantity ?? 0) === line.quantity);
      await trx
        .updateTable('purchasing_orders')
        .set({ status: complete ? 'delivered' : 'partially_delivered', committed_cents: sql`committed_cents - ${value}`, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await this.event(trx, actor, id, order.member_id, 'delivered', { deliveryId, valueExclVat: toEuros(value), complete, lines: input.lines.map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity })) });
    });
    const order = await this.getOrder(id);
    const event: OrderDeliveredEvent = {
      orderId: order.id,
      orderNumber: order.number!,
      memberId: order.memberId,
      deliverySiteId: order.deliverySiteId,
      lotCode: order.lotCode,
      agreementReference: order.agreementReference,
      deliveryId,
      deliveredAt: deliveredAt.toISOString(),
      supplier: order.supplier,
      lines: input.lines.map((l) => {
        const line = order.lines.find((x) => x.id === l.orderLineId)!;
        return { orderLineId: line.id, itemReference: line.itemReference, itemLabel: line.itemLabel, category: line.category, quantity: l.quantity, unitPriceExclVat: line.unitPriceExclVat, serialNumbers: l.serialNumbers ?? [] };
      }),
    };
    await this.bus.publish({ topic: 'purchasing.order.delivered', memberId: order.memberId, data: event });
    return order;
  }

  async invoice(actor: AuditActor, id: string, input: { invoiceNumber: string; amount: number; chorusInvoiceId: string; chorusEngagement?: string | undefined }): Promise<Order> {
    const cents = toCents(input.amount);
    if (cents === undefined || cents <= 0) throw validationFailed([{ field: '/body/amount', message: 'montant TTC en euros, strictement positif, deux décimales au plus' }]);
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'invoice');
      await trx
        .updateTable('purchasing_orders')
        .set({ status: 'invoiced', invoice_number: input.invoiceNumber.trim(), invoice_amount_cents: cents, chorus_invoice_id: input.chorusInvoiceId.trim(), chorus_engagement: input.chorusEngagement?.trim() || null, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await this.event(trx, actor, id, order.member_id, 'invoiced', { invoiceNumber: input.invoiceNumber, amount: input.amount, chorusInvoiceId: input.chorusInvoiceId });
    });
    const order = await this.getOrder(id);
    await this.publish('invoiced', order);
    return order;
  }

  async close(actor: AuditActor, id: string): Promise<Order> {
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'close');
      await trx.updateTable('purchasing_orders').set({ status: 'closed', updated_at: new Date() }).where('id', '=', id).execute();
      await this.event(trx, actor, id, order.member_id, 'closed');
    });
    const order = await this.getOrder(id);
    await this.publish('closed', order);
    return order;
  }

  /** Cancels an order not yet sent; a validated order gives its commitment back to its budget and lot. */
  async cancel(actor: AuditActor, id: string, reason: string): Promise<Order> {
    await this.db.transaction().execute(async (trx) => {
      const order = await this.lockOrder(trx, id, 'cancel');
      const held = Number(order.committed_cents);
      if (order.status === 'validated' && held > 0) {
        await trx.selectFrom('purchasing_lots').select('id').where('id', '=', order.lot_id).forUpdate().execute();
        await trx.updateTable('purchasing_lots').set({ committed_cents: sql`committed_cents - ${held}` }).where('id', '=', order.lot_id).execute();
        if (order.budget_id) {
          await trx.selectFrom('purchasing_budgets').select('id').where('id', '=', order.budget_id).forUpdate().execute();
          await trx.updateTable('purchasing_budgets').set({ committed_cents: sql`committed_cents - ${held}` }).where('id', '=', order.budget_id).execute();
        }
      }
      await trx.updateTable('purchasing_orders').set({ status: 'cancelled', committed_cents: 0, updated_at: new Date() }).where('id', '=', id).execute();
      await this.event(trx, actor, id, order.member_id, 'cancelled', { reason, from: order.status });
    });
    const order = await this.getOrder(id);
    await this.publish('cancelled', order, { reason });
    return order;
  }

  private summaryQuery() {
    return this.db
      .selectFrom('purchasing_orders as o')
      .innerJoin('members as m', 'm.id', 'o.member_id')
      .innerJoin('purchasing_lots as l', 'l.id', 'o.lot_id')
      .innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id');
  }

  async getOrder(id: string): Promise<Order> {
    const row = await this.summaryQuery()
      .innerJoin('purchasing_suppliers as s', (j) => j.onRef('s.agreement_id', '=', 'a.id').onRef('s.siret', '=', 'l.supplier_siret'))
      .leftJoin('purchasing_budgets as b', 'b.id', 'o.budget_id')
      .leftJoin('sites as st', 'st.id', 'o.delivery_site_id')
      .selectAll('o')
      .select(['m.name as member_name', 'l.code as lot_code', 'a.id as agreement_id', 'a.reference as agreement_reference', 's.name as supplier_name', 's.siret as supplier_siret', 'b.programme', 'b.year', 'st.name as site_name', 'st.address as site_address'])
      .where('o.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Commande');
    const [lines, events, deliveries, deliveryLines] = await Promise.all([
      this.db
        .selectFrom('purchasing_order_lines as ol')
        .innerJoin('purchasing_items as i', 'i.id', 'ol.item_id')
        .selectAll('ol')
        .select(['i.reference', 'i.label', 'i.category', 'i.unit', 'i.vat_rate_bp'])
        .where('ol.order_id', '=', id)
        .orderBy('i.label')
        .execute(),
      this.db.selectFrom('purchasing_order_events').selectAll().where('order_id', '=', id).orderBy('id').execute(),
      this.db.selectFrom('purchasing_deliveries').selectAll().where('order_id', '=', id).orderBy('delivered_at').execute(),
      this.db.selectFrom('purchasing_delivery_lines as dl').innerJoin('purchasing_deliveries as d', 'd.id', 'dl.delivery_id').selectAll('dl').where('d.order_id', '=', id).execute(),
    ]);
    const total = Number(row.total_cents);
    const vat = lines.reduce((sum, l) => sum + vatOf(Number(l.unit_price_cents) * l.quantity, l.vat_rate_bp), 0);
    return {
      id: row.id,
      number: row.number,
      title: row.title,
      memberId: row.member_id,
      memberName: row.member_name,
      lotId: row.lot_id,
      lotCode: row.lot_code,
      agreementId: row.agreement_id,
      agreementReference: row.agreement_reference,
      supplier: { name: row.supplier_name, siret: row.supplier_siret },
      status: row.status,
      budgetId: row.budget_id,
      budgetLabel: row.programme ? `${row.programme} ${row.year}` : null,
      deliverySiteId: row.delivery_site_id,
      deliverySiteName: row.site_name,
      deliverySiteAddress: row.site_address,
      totalExclVat: toEuros(total),
      totalVat: toEuros(vat),
      totalInclVat: toEuros(total + vat),
      committedAmount: toEuros(Number(row.committed_cents)),
      overrideReason: row.override_reason,
      validatedAt: row.validated_at?.toISOString() ?? null,
      invoice: row.invoice_number
        ? { number: row.invoice_number, amount: toEuros(Number(row.invoice_amount_cents)), chorusInvoiceId: row.chorus_invoice_id ?? '', chorusEngagement: row.chorus_engagement }
        : null,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      lines: lines.map((l) => ({
        id: l.id,
        itemId: l.item_id,
        itemReference: l.reference,
        itemLabel: l.label,
        category: l.category,
        unit: l.unit,
        quantity: l.quantity,
        deliveredQuantity: l.delivered_quantity,
        unitPriceExclVat: toEuros(Number(l.unit_price_cents)),
        listPrice: toEuros(Number(l.list_price_cents)),
        vatRate: l.vat_rate_bp / 100,
        totalExclVat: toEuros(Number(l.unit_price_cents) * l.quantity),
      })),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        deliveredAt: d.delivered_at.toISOString(),
        recordedBy: d.recorded_by,
        note: d.note,
        lines: deliveryLines.filter((dl) => dl.delivery_id === d.id).map((dl) => ({ orderLineId: dl.order_line_id, quantity: dl.quantity, serialNumbers: dl.serial_numbers })),
      })),
      timeline: events.map((e) => ({ verb: e.verb, at: e.at.toISOString(), actor: e.actor_label, details: e.details })),
    };
  }

  /**
   * The order list: the member's own (or the SMO's view of all), searched by number, title or member name.
   * Filters and the count read the orders table alone (its indexes: created_at, member, status, number
   * prefix, and the folded search text); the joins for names are made for the page's rows only.
   */
  async listOrders(
    scope: 'all' | string[],
    filter: PageRequest & { q?: string | undefined; status?: OrderStatus | undefined; memberId?: string | undefined; lotCode?: LotCode | undefined; agreementId?: string | undefined },
  ) {
    if (scope !== 'all' && scope.length === 0) return { items: [], total: 0, page: filter.page, pageSize: filter.pageSize };
    let query = this.db.selectFrom('purchasing_orders as o');
    if (scope !== 'all') query = query.where('o.member_id', 'in', scope);
    if (filter.memberId) query = query.where('o.member_id', '=', filter.memberId);
    if (filter.status) query = query.where('o.status', '=', filter.status);
    if (filter.lotCode) query = query.where('o.lot_id', 'in', this.db.selectFrom('purchasing_lots').select('id').where('code', '=', filter.lotCode));
    if (filter.agreementId) query = query.where('o.lot_id', 'in', this.db.selectFrom('purchasing_lots').select('id').where('agreement_id', '=', filter.agreementId!));
    const q = filter.q?.trim();
    if (q && /^BC-[\d-]*$/i.test(q)) {
      // A purchase order number, whole or its beginning: a range of the number index.
      query = query.where('o.number', 'like', `${q.toUpperCase()}%`);
    } else if (q) {
      query = query.where('o.search_text', 'like', searchPattern(q));
    }
    const sort = parseSort(filter.sort, 'createdAt');
    const column = { createdAt: 'o.created_at', updatedAt: 'o.updated_at', totalExclVat: 'o.total_cents', number: 'o.number' } as const;
    // Newest first unless asked otherwise: a queue and an order history are read from the top.
    const direction = filter.sort ? sort.direction : 'desc';
    const [rows, count] = await Promise.all([
      query
        .innerJoin('members as m', 'm.id', 'o.member_id')
        .innerJoin('purchasing_lots as l', 'l.id', 'o.lot_id')
        .innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id')
        .select(['o.id', 'o.number', 'o.title', 'o.member_id', 'm.name as member_name', 'o.lot_id', 'l.code as lot_code', 'a.reference as agreement_reference', 'o.status', 'o.total_cents', 'o.created_by', 'o.created_at', 'o.updated_at'])
        .orderBy(column[sort.field as keyof typeof column], direction)
        .orderBy('o.id', direction)
        .limit(filter.pageSize)
        .offset(offsetOf(filter))
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(
        (r): OrderSummary => ({
          id: r.id,
          number: r.number,
          title: r.title,
          memberId: r.member_id,
          memberName: r.member_name,
          lotId: r.lot_id,
          lotCode: r.lot_code,
          agreementReference: r.agreement_reference,
          status: r.status,
          totalExclVat: toEuros(Number(r.total_cents)),
          createdBy: r.created_by,
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        }),
      ),
      total: Number(count.n),
      page: filter.page,
      pageSize: filter.pageSize,
    };
  }

  // ---- Budgets

  async createBudget(actor: AuditActor, input: { memberId: string; year: number; programme: string; amount: number }): Promise<Budget> {
    const cents = toCents(input.amount);
    const errors: FieldError[] = [];
    if (cents === undefined || cents < 0) errors.push({ field: '/body/amount', message: 'montant en euros, positif, deux décimales au plus' });
    if (input.programme.trim() === '') errors.push({ field: '/body/programme', message: 'programme obligatoire' });
    const member = await this.db.selectFrom('members').select('kind').where('id', '=', input.memberId).executeTakeFirst();
    if (!member) errors.push({ field: '/body/memberId', message: 'membre inconnu' });
    if (errors.length > 0) throw validationFailed(errors);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('purchasing_budgets').select('id').where('member_id', '=', input.memberId).where('year', '=', input.year).where('programme', '=', input.programme.trim()).executeTakeFirst();
      if (taken) throw conflict(`Le membre a déjà une enveloppe « ${input.programme} » pour ${input.year}.`);
      await trx.insertInto('purchasing_budgets').values({ id, member_id: input.memberId, year: input.year, programme: input.programme.trim(), amount_cents: cents! }).execute();
      await appendAudit(trx, { actor, action: 'purchasing.budget_create', entityType: 'purchasing_budget', entityId: id, memberId: input.memberId, summary: { after: input } });
    });
    return this.getBudget(id);
  }

  async updateBudgetAmount(actor: AuditActor, id: string, amount: number): Promise<Budget> {
    const cents = toCents(amount);
    if (cents === undefined || cents < 0) throw validationFailed([{ field: '/body/amount', message: 'montant en euros, positif, deux décimales au plus' }]);
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('purchasing_budgets').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('Enveloppe budgétaire');
      if (cents < Number(before.committed_cents) + Number(before.consumed_cents)) {
        throw conflict(`L’enveloppe ne peut descendre sous ce qui est déjà engagé ou consommé (${euroText(Number(before.committed_cents) + Number(before.consumed_cents))}).`);
      }
      await trx.updateTable('purchasing_budgets').set({ amount_cents: cents }).where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'purchasing.budget_update', entityType: 'purchasing_budget', entityId: id, memberId: before.member_id, summary: { before: { amount: toEuros(Number(before.amount_cents)) }, after: { amount } } });
    });
    return this.getBudget(id);
  }

  private budgetQuery() {
    return this.db.selectFrom('purchasing_budgets as b').innerJoin('members as m', 'm.id', 'b.member_id').selectAll('b').select('m.name as member_name');
  }

  private toBudget(r: { id: string; member_id: string; member_name: string; year: number; programme: string; amount_cents: number; committed_cents: number; consumed_cents: number }): Budget {
    const amount = Number(r.amount_cents);
    const committed = Number(r.committed_cents);
    const consumed = Number(r.consumed_cents);
    const usage = amount === 0 ? (committed + consumed > 0 ? 1 : 0) : (committed + consumed) / amount;
    return {
      id: r.id,
      memberId: r.member_id,
      memberName: r.member_name,
      year: r.year,
      programme: r.programme,
      amount: toEuros(amount),
      committed: toEuros(committed),
      consumed: toEuros(consumed),
      available: toEuros(amount - committed - consumed),
      usage: Math.round(usage * 10000) / 10000,
      level: levelOf(usage),
    };
  }

  async getBudget(id: string): Promise<Budget> {
    const row = await this.budgetQuery().where('b.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Enveloppe budgétaire');
    return this.toBudget(row);
  }

  async listBudgets(scope: 'all' | string[], filter: { memberId?: string | undefined; year?: number | undefined }): Promise<Budget[]> {
    if (scope !== 'all' && scope.length === 0) return [];
    let query = this.budgetQuery();
    if (scope !== 'all') query = query.where('b.member_id', 'in', scope);
    if (filter.memberId) query = query.where('b.member_id', '=', filter.memberId);
    if (filter.year) query = query.where('b.year', '=', filter.year);
    return (await query.orderBy('b.year', 'desc').orderBy('m.name').orderBy('b.programme').execute()).map((r) => this.toBudget(r));
  }

  // ---- Savings

  /** Per member, lot and year of validation: list price, price paid, and the price the member alone would have paid. */
  async savings(scope: 'all' | string[], filter: { year?: number | undefined; memberId?: string | undefined; lotCode?: LotCode | undefined }): Promise<SavingsRow[]> {
    if (scope !== 'all' && scope.length === 0) return [];
    let query = this.db
      .selectFrom('purchasing_order_lines as ol')
      .innerJoin('purchasing_orders as o', 'o.id', 'ol.order_id')
      .innerJoin('members as m', 'm.id', 'o.member_id')
      .innerJoin('purchasing_lots as l', 'l.id', 'o.lot_id')
      .select((eb) => [
        'o.member_id',
        'm.name as member_name',
        'l.code as lot_code',
        sql<number>`extract(year from o.validated_at)::int`.as('year'),
        eb.fn.sum<number>('ol.quantity').as('quantity'),
        eb.fn.sum<number>(sql`ol.quantity * ol.list_price_cents`).as('list'),
        eb.fn.sum<number>(sql`ol.quantity * ol.unit_price_cents`).as('paid'),
        eb.fn.sum<number>(sql`ol.quantity * ol.solo_unit_price_cents`).as('solo'),
      ])
      .where('o.status', 'in', COMMITTED_STATUSES);
    if (scope !== 'all') query = query.where('o.member_id', 'in', scope);
    if (filter.memberId) query = query.where('o.member_id', '=', filter.memberId);
    if (filter.lotCode) query = query.where('l.code', '=', filter.lotCode);
    if (filter.year) query = query.where(sql<number>`extract(year from o.validated_at)::int`, '=', filter.year);
    const rows = await query.groupBy(['o.member_id', 'm.name', 'l.code', sql`extract(year from o.validated_at)::int`]).orderBy('m.name').orderBy('l.code').execute();
    return rows.map((r) => {
      // Sums of bigint products come back as numeric strings: convert once, in cents.
      const [list, paid, solo] = [Number(r.list), Number(r.paid), Number(r.solo)];
      return {
        memberId: r.member_id,
        memberName: r.member_name,
        lotCode: r.lot_code,
        year: Number(r.year),
        quantity: Number(r.quantity),
        listAmount: toEuros(list),
        paidAmount: toEuros(paid),
        soloAmount: toEuros(solo),
        savings: toEuros(list - paid),
        poolingGain: toEuros(solo - paid),
      };
    });
  }
}
