import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Transaction } from 'kysely';
import { parse } from 'csv-parse/sync';
import type { Db, Tables } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { conflict, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import { isValidSiret } from '../../platform/siret.js';
import { addMonths, toCents, toEuros } from './pricing.js';
import {
  ASSET_TYPED_LOTS,
  ASSET_TYPES,
  type Execution,
  type LotCode,
  type PurchasingItemsTable,
  type TierBasis,
} from './purchasing.tables.js';

export interface Supplier {
  siret: string;
  name: string;
}

export interface Lot {
  id: string;
  code: LotCode;
  label: string;
  supplierSiret: string;
  supplierName: string;
  minAmount: number;
  maxAmount: number;
  committedAmount: number;
}

export interface Amendment {
  seq: number;
  date: string;
  amount: number;
  object: string;
}

export interface Agreement {
  id: string;
  reference: string;
  object: string;
  cpvCode: string;
  procedure: string;
  notificationDate: string;
  durationMonths: number;
  endDate: string;
  priceForm: string;
  priceType: string;
  execution: Execution;
  tierBasis: TierBasis;
  offersReceived: number;
  suppliers: Supplier[];
  lots: Lot[];
  amendments: Amendment[];
  createdAt: string;
}

export interface AgreementInput {
  reference: string;
  object: string;
  cpvCode: string;
  procedure: string;
  notificationDate: string;
  durationMonths: number;
  priceForm: string;
  priceType: string;
  execution: Execution;
  tierBasis: TierBasis;
  offersReceived?: number | undefined;
  suppliers: Supplier[];
  lots: { code: LotCode; label: string; supplierSiret: string; minAmount: number; maxAmount: number }[];
}

export interface Convention {
  id: string;
  reference: string;
  memberId: string;
  memberName: string;
  signedOn: string;
  lots: LotCode[];
  contactName: string;
  contactEmail: string;
}

export interface ConventionInput {
  reference: string;
  memberId: string;
  signedOn: string;
  lots: LotCode[];
  contactName: string;
  contactEmail: string;
}

export interface TierView {
  minQuantity: number;
  unitPriceExclVat: number;
}

export interface Item {
  id: string;
  lotId: string;
  lotCode: LotCode;
  agreementId: string;
  agreementReference: string;
  reference: string;
  label: string;
  category: string;
  unit: string;
  unitPriceExclVat: number;
  vatRate: number;
  listPrice: number;
  withdrawn: boolean;
  tiers: TierView[];
}

export interface ItemInput {
  reference: string;
  label: string;
  category: string;
  unit: string;
  unitPriceExclVat: number;
  vatRate: number;
  listPrice: number;
  withdrawn?: boolean | undefined;
  tiers?: TierView[] | undefined;
}

export interface ImportReport {
  lines: number;
  created: number;
  updated: number;
  rejects: { line: number; reference: string | null; reason: string }[];
}

type Trx = Transaction<Tables>;

/** The columns of a catalogue CSV file, in this order (`;` or `,` separated, UTF-8, one header line; decimal comma or point). */
export const CATALOGUE_COLUMNS = ['reference', 'libelle', 'categorie', 'unite', 'prix_unitaire_ht', 'taux_tva', 'prix_public_ht', 'retire', 'paliers'] as const;

const euros = (field: string, value: number, errors: FieldError[], min = 0): number => {
  const cents = toCents(value);
  if (cents === undefined) errors.push({ field, message: 'montant en euros avec au plus deux décimales' });
  else if (cents < min) errors.push({ field, message: min > 0 ? 'montant strictement positif attendu' : 'montant positif ou nul attendu' });
  return cents ?? 0;
};

/** Checks an item against its lot's rules; returns its row values in cents and basis points. */
function itemValues(lot: LotCode, input: ItemInput, prefix: string, errors: FieldError[]) {
  const reference = input.reference.trim();
  const label = input.label.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$/.test(reference)) errors.push({ field: `${prefix}/reference`, message: 'référence de 1 à 40 caractères (lettres, chiffres, . _ / -)' });
  if (label === '') errors.push({ field: `${prefix}/label`, message: 'libellé obligatoire' });
  const category = input.category.trim();
  if (ASSET_TYPED_LOTS.has(lot) && !(ASSET_TYPES as readonly string[]).includes(category)) {
    errors.push({ field: `${prefix}/category`, message: `catégorie « ${category} » inconnue pour ce lot (attendu : ${ASSET_TYPES.join(', ')})` });
  } else if (category === '') errors.push({ field: `${prefix}/category`, message: 'catégorie obligatoire' });
  if (input.unit.trim() === '') errors.push({ field: `${prefix}/unit`, message: 'unité obligatoire' });
  const unitPrice = euros(`${prefix}/unitPriceExclVat`, input.unitPriceExclVat, errors, 1);
  const listPrice = euros(`${prefix}/listPrice`, input.listPrice, errors, 1);
  const vat = Math.round(input.vatRate * 100);
  if (Math.abs(vat - input.vatRate * 100) > 1e-6 || vat < 0 || vat > 10000) errors.push({ field: `${prefix}/vatRate`, message: 'taux de TVA en pourcentage entre 0 et 100 (ex. 20 ou 5.5)' });
  const tiers = (input.tiers ?? []).map((t, i) => {
    if (!Number.isInteger(t.minQuantity) || t.minQuantity < 2) errors.push({ field: `${prefix}/tiers/${i}/minQuantity`, message: 'seuil entier supérieur ou égal à 2' });
    return { min_quantity: t.minQuantity, unit_price_cents: euros(`${prefix}/tiers/${i}/unitPriceExclVat`, t.unitPriceExclVat, errors, 1) };
  });
  if (new Set(tiers.map((t) => t.min_quantity)).size !== tiers.length) errors.push({ field: `${prefix}/tiers`, message: 'deux paliers ont le même seuil' });
  const sorted = [...tiers].sort((a, b) => a.min_quantity - b.min_quantity);
  if (sorted.some((t, i) => t.unit_price_cents >= (i === 0 ? unitPrice : sorted[i - 1]!.unit_price_cents))) {
    errors.push({ field: `${prefix}/tiers`, message: 'chaque palier doit baisser le prix unitaire' });
  }
  return {
    row: { reference, label, category, unit: input.unit.trim(), unit_price_cents: unitPrice, vat_rate_bp: vat, list_price_cents: listPrice, withdrawn: input.withdrawn ?? false },
    tiers,
  };
}

const toConvention = (r: Selectable<Tables['purchasing_conventions']> & { member_name: string }): Convention => ({
  id: r.id,
  reference: r.reference,
  memberId: r.member_id,
  memberName: r.member_name,
  signedOn: r.signed_on,
  lots: r.lots,
  contactName: r.contact_name,
  contactEmail: r.contact_email,
});

/** Framework agreements, their lots and catalogue, members' conventions, and the DECP export. */
export class CatalogueService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  // ---- Agreements

  private checkAgreement(input: AgreementInput): FieldError[] {
    const errors: FieldError[] = [];
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(input.reference)) errors.push({ field: '/body/reference', message: 'identifiant DECP de 1 à 16 caractères (lettres, chiffres, - et _)' });
    const sirets = new Set<string>();
    input.suppliers.forEach((s, i) => {
      if (!isValidSiret(s.siret)) errors.push({ field: `/body/suppliers/${i}/siret`, message: `SIRET « ${s.siret} » invalide (14 chiffres, clé de Luhn)` });
      if (sirets.has(s.siret)) errors.push({ field: `/body/suppliers/${i}/siret`, message: 'titulaire en double' });
      sirets.add(s.siret);
    });
    const codes = new Set<string>();
    input.lots.forEach((lot, i) => {
      if (codes.has(lot.code)) errors.push({ field: `/body/lots/${i}/code`, message: 'lot en double' });
      codes.add(lot.code);
      if (!sirets.has(lot.supplierSiret)) errors.push({ field: `/body/lots/${i}/supplierSiret`, message: 'le titulaire du lot doit figurer parmi les titulaires de l’accord-cadre' });
      const min = euros(`/body/lots/${i}/minAmount`, lot.minAmount, errors);
      const max = euros(`/body/lots/${i}/maxAmount`, lot.maxAmount, errors, 1);
      if (max < min) errors.push({ field: `/body/lots/${i}/maxAmount`, message: 'le maximum doit être supérieur ou égal au minimum' });
    });
    return errors;
  }

  async createAgreement(actor: AuditActor, input: AgreementInput): Promise<Agreement> {
    const errors = this.checkAgreement(input);
    if (errors.length > 0) throw validationFailed(errors);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('purchasing_agreements').select('id').where('reference', '=', input.reference).executeTakeFirst();
      if (taken) throw conflict(`Un accord-cadre porte déjà la référence ${input.reference}.`);
      await trx
        .insertInto('purchasing_agreements')
        .values({
          id,
          reference: input.reference,
          object: input.object.trim(),
          cpv_code: input.cpvCode,
          procedure: input.procedure,
          notification_date: input.notificationDate,
          duration_months: input.durationMonths,
          end_date: addMonths(input.notificationDate, input.durationMonths),
          price_form: input.priceForm,
          price_type: input.priceType,
          execution: input.execution,
          tier_basis: input.tierBasis,
          offers_received: input.offersReceived ?? 1,
          created_by: actor.label,
        })
        .execute();
      await trx.insertInto('purchasing_suppliers').values(input.suppliers.map((s) => ({ agreement_id: id, siret: s.siret, name: s.name.trim() }))).execute();
      await trx
        .insertInto('purchasing_lots')
        .values(
          input.lots.map((l) => ({
            id: randomUUID(),
            agreement_id: id,
            code: l.code,
            label: l.label.trim(),
            supplier_siret: l.supplierSiret,
            min_cents: toCents(l.minAmount)!,
            max_cents: toCents(l.maxAmount)!,
          })),
        )
        .execute();
      await appendAudit(trx, { actor, action: 'purchasing.agreement_create', entityType: 'purchasing_agreement', entityId: id, summary: { after: input } });
    });
    const agreement = await this.getAgreement(id);
    await this.bus.publish({ topic: 'purchasing.agreement.created', memberId: null, data: { id, reference: agreement.reference } });
    return agreement;
  }

  async addAmendment(actor: AuditActor, agreementId: string, input: { date: string; amount: number; object: string }): Promise<Agreement> {
    const errors: FieldError[] = [];
    const cents = toCents(input.amount);
    if (cents === undefined) errors.push({ field: '/body/amount', message: 'montant en euros avec au plus deux décimales' });
    if (input.object.trim() === '') errors.push({ field: '/body/object', message: 'objet obligatoire' });
    if (errors.length > 0) throw validationFailed(errors);
    await this.db.transaction().execute(async (trx) => {
      const agreement = await trx.selectFrom('purchasing_agreements').select(['id', 'notification_date']).where('id', '=', agreementId).forUpdate().executeTakeFirst();
      if (!agreement) throw notFound('Accord-cadre');
      if (input.date < agreement.notification_date) throw validationFailed([{ field: '/body/date', message: 'une modification ne peut précéder la notification de l’accord-cadre' }]);
      const last = await trx.selectFrom('purchasing_amendments').select((eb) => eb.fn.max('seq').as('seq')).where('agreement_id', '=', agreementId).executeTakeFirst();
      const seq = Number(last?.seq ?? 0) + 1;
      await trx.insertInto('purchasing_amendments').values({ id: randomUUID(), agreement_id: agreementId, seq, date: input.date, amount_cents: cents!, object: input.object.trim() }).execute();
      await appendAudit(trx, { actor, action: 'purchasing.agreement_amend', entityType: 'purchasing_agreement', entityId: agreementId, summary: { seq, ...input } });
    });
    return this.getAgreement(agreementId);
  }

  private async agreementsByIds(ids: string[]): Promise<Agreement[]> {
    if (ids.length === 0) return [];
    const [rows, suppliers, lots, amendments] = await Promise.all([
      this.db.selectFrom('purchasing_agreements').selectAll().where('id', 'in', ids).execute(),
      this.db.selectFrom('purchasing_suppliers').selectAll().where('agreement_id', 'in', ids).orderBy('name').execute(),
      this.db.selectFrom('purchasing_lots').selectAll().where('agreement_id', 'in', ids).orderBy('code').execute(),
      this.db.selectFrom('purchasing_amendments').selectAll().where('agreement_id', 'in', ids).orderBy('seq').execute(),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      const own = suppliers.filter((s) => s.agreement_id === id);
      return [
        {
          id: r.id,
          reference: r.reference,
          object: r.object,
          cpvCode: r.cpv_code,
          procedure: r.procedure,
          notificationDate: r.notification_date,
          durationMonths: r.duration_months,
          endDate: r.end_date,
          priceForm: r.price_form,
          priceType: r.price_type,
          execution: r.execution,
          tierBasis: r.tier_basis,
          offersReceived: r.offers_received,
          suppliers: own.map((s) => ({ siret: s.siret, name: s.name })),
          lots: lots
            .filter((l) => l.agreement_id === id)
            .map((l) => ({
              id: l.id,
              code: l.code,
              label: l.label,
              supplierSiret: l.supplier_siret,
              supplierName: own.find((s) => s.siret === l.supplier_siret)?.name ?? '',
              minAmount: toEuros(Number(l.min_cents)),
              maxAmount: toEuros(Number(l.max_cents)),
              committedAmount: toEuros(Number(l.committed_cents)),
            })),
          amendments: amendments.filter((a) => a.agreement_id === id).map((a) => ({ seq: a.seq, date: a.date, amount: toEuros(Number(a.amount_cents)), object: a.object })),
          createdAt: r.created_at.toISOString(),
        },
      ];
    });
  }

  async getAgreement(id: string): Promise<Agreement> {
    const [agreement] = await this.agreementsByIds([id]);
    if (!agreement) throw notFound('Accord-cadre');
    return agreement;
  }

  async listAgreements(filter: PageRequest & { q?: string | undefined; lotCode?: LotCode | undefined; active?: boolean | undefined }) {
    let query = this.db.selectFrom('purchasing_agreements as a');
    if (filter.q) {
      const pattern = searchPattern(filter.q);
      query = query.where((eb) => eb.or([eb(sql.raw(foldedSql('a.reference')), 'like', pattern), eb(sql.raw(foldedSql('a.object')), 'like', pattern)]));
    }
    if (filter.lotCode) query = query.where((eb) => eb.exists(eb.selectFrom('purchasing_lots as l').select('l.id').whereRef('l.agreement_id', '=', 'a.id').where('l.code', '=', filter.lotCode!)));
    if (filter.active !== undefined) query = query.where('a.end_date', filter.active ? '>=' : '<', sql<string>`current_date`);
    const sort = parseSort(filter.sort, 'reference');
    const column = { reference: 'a.reference', notificationDate: 'a.notification_date', endDate: 'a.end_date' } as const;
    const [rows, count] = await Promise.all([
      query.select('a.id').orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('a.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: await this.agreementsByIds(rows.map((r) => r.id)), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  // ---- Conventions

  async createConvention(actor: AuditActor, input: ConventionInput): Promise<Convention> {
    const errors: FieldError[] = [];
    if (input.lots.length === 0) errors.push({ field: '/body/lots', message: 'au moins un lot' });
    if (new Set(input.lots).size !== input.lots.length) errors.push({ field: '/body/lots', message: 'lot en double' });
    const member = await this.db.selectFrom('members').select(['id', 'kind']).where('id', '=', input.memberId).executeTakeFirst();
    if (!member) errors.push({ field: '/body/memberId', message: 'membre inconnu' });
    else if (member.kind === 'smo') errors.push({ field: '/body/memberId', message: 'le syndicat est la centrale d’achat, pas un adhérent' });
    if (errors.length > 0) throw validationFailed(errors);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('purchasing_conventions').select('id').where('reference', '=', input.reference).executeTakeFirst();
      if (taken) throw conflict(`Une convention porte déjà la référence ${input.reference}.`);
      await trx
        .insertInto('purchasing_conventions')
        .values({ id, reference: input.reference.trim(), member_id: input.memberId, signed_on: input.signedOn, lots: input.lots, contact_name: input.contactName.trim(), contact_email: input.contactEmail.trim() })
        .execute();
      await appendAudit(trx, { actor, action: 'purchasing.convention_create', entityType: 'purchasing_convention', entityId: id, memberId: input.memberId, summary: { after: input } });
    });
    const convention = await this.getConvention(id);
    await this.bus.publish({ topic: 'purchasing.convention.created', memberId: input.memberId, data: convention });
    return convention;
  }

  async updateConventionLots(actor: AuditActor, id: string, lots: LotCode[]): Promise<Convention> {
    if (lots.length === 0 || new Set(lots).size !== lots.length) throw validationFailed([{ field: '/body/lots', message: 'au moins un lot, sans doublon' }]);
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('purchasing_conventions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('Convention');
      await trx.updateTable('purchasing_conventions').set({ lots }).where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'purchasing.convention_update', entityType: 'purchasing_convention', entityId: id, memberId: before.member_id, summary: { before: { lots: before.lots }, after: { lots } } });
    });
    return this.getConvention(id);
  }

  private conventionQuery() {
    return this.db.selectFrom('purchasing_conventions as c').innerJoin('members as m', 'm.id', 'c.member_id').selectAll('c').select('m.name as member_name');
  }

  async getConvention(id: string): Promise<Convention> {
    const row = await this.conventionQuery().where('c.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Convention');
    return toConvention(row);
  }

  async listConventions(scope: 'all' | string[], filter: { memberId?: string | undefined }): Promise<Convention[]> {
    if (scope !== 'all' && scope.length === 0) return [];
    let query = this.conventionQuery();
    if (scope !== 'all') query = query.where('c.member_id', 'in', scope);
    if (filter.memberId) query = query.where('c.member_id', '=', filter.memberId);
    return (await query.orderBy('m.name').orderBy('c.reference').execute()).map(toConvention);
  }

  /** Whether the member signed a convention that covers the lot. */
  async coversLot(executor: Db | Trx, memberId: string, lot: LotCode): Promise<boolean> {
    const row = await executor
      .selectFrom('purchasing_conventions')
      .select('id')
      .where('member_id', '=', memberId)
      .where(sql<boolean>`${lot} = any(lots)`)
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- Catalogue

  private itemQuery() {
    return this.db
      .selectFrom('purchasing_items as i')
      .innerJoin('purchasing_lots as l', 'l.id', 'i.lot_id')
      .innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id')
      .selectAll('i')
      .select(['l.code as lot_code', 'a.id as agreement_id', 'a.reference as agreement_reference']);
  }

  private async withTiers(rows: (Selectable<PurchasingItemsTable> & { lot_code: LotCode; agreement_id: string; agreement_reference: string })[]): Promise<Item[]> {
    const tiers = rows.length === 0 ? [] : await this.db.selectFrom('purchasing_price_tiers').selectAll().where('item_id', 'in', rows.map((r) => r.id)).orderBy('min_quantity').execute();
    return rows.map((r) => ({
      id: r.id,
      lotId: r.lot_id,
      lotCode: r.lot_code,
      agreementId: r.agreement_id,
      agreementReference: r.agreement_reference,
      reference: r.reference,
      label: r.label,
      category: r.category,
      unit: r.unit,
      unitPriceExclVat: toEuros(Number(r.unit_price_cents)),
      vatRate: r.vat_rate_bp / 100,
      listPrice: toEuros(Number(r.list_price_cents)),
      withdrawn: r.withdrawn,
      tiers: tiers.filter((t) => t.item_id === r.id).map((t) => ({ minQuantity: t.min_quantity, unitPriceExclVat: toEuros(Number(t.unit_price_cents)) })),
    }));
  }

  async getItem(id: string): Promise<Item> {
    const row = await this.itemQuery().where('i.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Article');
    return (await this.withTiers([row]))[0]!;
  }

  async listItems(
    filter: PageRequest & { q?: string | undefined; lotCode?: LotCode | undefined; lotId?: string | undefined; category?: string | undefined; includeWithdrawn?: boolean | undefined; maxPrice?: number | undefined },
  ) {
    let query = this.itemQuery();
    if (filter.q) {
      const pattern = searchPattern(filter.q);
      query = query.where((eb) => eb.or([eb(sql.raw(foldedSql('i.reference')), 'like', pattern), eb(sql.raw(foldedSql('i.label')), 'like', pattern)]));
    }
    if (filter.lotCode) query = query.where('l.code', '=', filter.lotCode);
    if (filter.lotId) query = query.where('l.id', '=', filter.lotId);
    if (filter.category) query = query.where('i.category', '=', filter.category);
    if (!filter.includeWithdrawn) query = query.where('i.withdrawn', '=', false);
    if (filter.maxPrice !== undefined) query = query.where('i.unit_price_cents', '<=', Math.round(filter.maxPrice * 100));
    const sort = parseSort(filter.sort, 'label');
    const column = { label: 'i.label', reference: 'i.reference', unitPriceExclVat: 'i.unit_price_cents', category: 'i.category' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('i.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: await this.withTiers(rows), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  private async lotCode(lotId: string): Promise<LotCode> {
    const lot = await this.db.selectFrom('purchasing_lots').select('code').where('id', '=', lotId).executeTakeFirst();
    if (!lot) throw notFound('Lot');
    return lot.code;
  }

  /** Writes an item and its tiers, replacing the tiers of an existing item of the same reference. */
  private async upsertItem(trx: Trx, lotId: string, values: ReturnType<typeof itemValues>): Promise<{ id: string; created: boolean }> {
    const existing = await trx.selectFrom('purchasing_items').select('id').where('lot_id', '=', lotId).where('reference', '=', values.row.reference).forUpdate().executeTakeFirst();
    const id = existing?.id ?? randomUUID();
    if (existing) await trx.updateTable('purchasing_items').set({ ...values.row, updated_at: new Date() }).where('id', '=', id).execute();
    else await trx.insertInto('purchasing_items').values({ id, lot_id: lotId, ...values.row }).execute();
    await trx.deleteFrom('purchasing_price_tiers').where('item_id', '=', id).execute();
    if (values.tiers.length > 0) await trx.insertInto('purchasing_price_tiers').values(values.tiers.map((t) => ({ item_id: id, ...t }))).execute();
    return { id, created: !existing };
  }

  async putItem(actor: AuditActor, lotId: string, input: ItemInput): Promise<{ item: Item; created: boolean }> {
    const code = await this.lotCode(lotId);
    const errors: FieldError[] = [];
    const values = itemValues(code, input, '/body', errors);
    if (errors.length > 0) throw validationFailed(errors);
    const result = await this.db.transaction().execute(async (trx) => {
      const written = await this.upsertItem(trx, lotId, values);
      await appendAudit(trx, { actor, action: written.created ? 'purchasing.item_create' : 'purchasing.item_update', entityType: 'purchasing_item', entityId: written.id, summary: { after: input } });
      return written;
    });
    return { item: await this.getItem(result.id), created: result.created };
  }

  async setWithdrawn(actor: AuditActor, id: string, withdrawn: boolean): Promise<Item> {
    await this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('purchasing_items').set({ withdrawn, updated_at: new Date() }).where('id', '=', id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw notFound('Article');
      await appendAudit(trx, { actor, action: withdrawn ? 'purchasing.item_withdraw' : 'purchasing.item_restore', entityType: 'purchasing_item', entityId: id });
    });
    return this.getItem(id);
  }

  /**
   * Imports a catalogue CSV into a lot. Each line is checked on its own: a bad line is reported with its
   * number and reason and the others are written, all in one transaction (an item is never written
   * without its tiers). A file that cannot be read as CSV with the expected header is refused as a whole.
   */
  async importCatalogue(actor: AuditActor, lotId: string, text: string): Promise<ImportReport> {
    const code = await this.lotCode(lotId);
    let records: string[][];
    const content = text.replace(/^\uFEFF/, '');
    // French spreadsheets write ';' and decimal commas; the header line tells which separator the file uses.
    const delimiter = (content.split('\n', 1)[0] ?? '').includes(';') ? ';' : ',';
    try {
      records = parse(content, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
    } catch (error) {
      throw validationFailed([{ field: '/body', message: `fichier CSV illisible : ${(error as Error).message}` }]);
    }
    // The last two columns (retire, paliers) are optional.
    const header = (records[0] ?? []).map((h) => h.toLowerCase());
    if (header.length < 7 || header.length > 9 || header.some((h, i) => h !== CATALOGUE_COLUMNS[i])) {
      throw validationFailed([{ field: '/body', message: `en-tête attendu : ${CATALOGUE_COLUMNS.join(';')} (les deux dernières colonnes sont facultatives), reçu : ${header.join(';')}` }]);
    }
    const report: ImportReport = { lines: records.length - 1, created: 0, updated: 0, rejects: [] };
    const accepted: { line: number; values: ReturnType<typeof itemValues> }[] = [];
    const seen = new Map<string, number>();
    records.slice(1).forEach((cells, index) => {
      const line = index + 2;
      const reference = cells[0] || null;
      const reject = (reason: string) => report.rejects.push({ line, reference, reason });
      if (cells.length < 7 || cells.length > 9) return reject(`${cells.length} colonnes au lieu de 7 à 9`);
      const amount = (raw: string, what: string): number | string => {
        const normalised = raw.replace(/\s/g, '').replace(',', '.');
        if (normalised === '') return `${what} manquant`;
        return /^\d+(\.\d+)?$/.test(normalised) ? Number(normalised) : `${what} « ${raw} » n’est pas un nombre`;
      };
      const [ref, label, category, unit, unitPrice, vat, listPrice, withdrawn = '', tierText = ''] = cells as [string, string, string, string, string, string, string, string?, string?];
      const numbers = [amount(unitPrice, 'prix unitaire HT'), amount(vat, 'taux de TVA'), amount(listPrice, 'prix public HT')];
      const bad = numbers.find((n) => typeof n === 'string');
      if (bad !== undefined) return reject(bad as string);
      if (!['', 'oui', 'non', '0', '1', 'true', 'false'].includes(withdrawn.toLowerCase())) return reject(`colonne retire « ${withdrawn} » : attendu oui ou non`);
      const tiers: TierView[] = [];
      for (const part of tierText.split('|').filter((p) => p.trim() !== '')) {
        const match = /^\s*(\d+)\s*:\s*([\d\s]+(?:[.,]\d+)?)\s*$/.exec(part);
        if (!match) return reject(`palier « ${part} » : attendu quantité:prix (ex. 50:289,00)`);
        tiers.push({ minQuantity: Number(match[1]), unitPriceExclVat: Number(match[2]!.replace(/\s/g, '').replace(',', '.')) });
      }
      const errors: FieldError[] = [];
      const values = itemValues(
        code,
        { reference: ref, label, category, unit, unitPriceExclVat: numbers[0] as number, vatRate: numbers[1] as number, listPrice: numbers[2] as number, withdrawn: ['oui', '1', 'true'].includes(withdrawn.toLowerCase()), tiers },
        '',
        errors,
      );
      if (errors.length > 0) return reject(errors.map((e) => `${e.field.slice(1)} : ${e.message}`).join(' ; '));
      const previous = seen.get(values.row.reference);
      if (previous !== undefined) return reject(`référence ${values.row.reference} déjà présente ligne ${previous}`);
      seen.set(values.row.reference, line);
      accepted.push({ line, values });
    });
    await this.db.transaction().execute(async (trx) => {
      for (const { values } of accepted) {
        const written = await this.upsertItem(trx, lotId, values);
        if (written.created) report.created += 1;
        else report.updated += 1;
      }
      await appendAudit(trx, { actor, action: 'purchasing.catalogue_import', entityType: 'purchasing_lot', entityId: lotId, summary: { lines: report.lines, created: report.created, updated: report.updated, rejected: report.rejects.length } });
    });
    await this.bus.publish({ topic: 'purchasing.catalogue.imported', memberId: null, data: { lotId, created: report.created, updated: report.updated, rejected: report.rejects.length } });
    return report;
  }
}
