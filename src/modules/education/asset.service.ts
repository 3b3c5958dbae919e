import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Database, Db, Tables } from '../../platform/db/database.js';
import { withImportTransaction } from '../../platform/db/import-transaction.js';
import type { DomainEvent, EventBus } from '../../platform/bus/event-bus.js';
import { can, visibleScope, type Actor } from '../../platform/auth/policy.js';
import { appendAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.service.js';
import { AppError, conflict, notFound, validationFailed } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import { CsvFileRefused, parseDate, readCsv } from './csv-files.js';
import { ASSET_TYPES, type AssetState, type AssetType, type EduAssetsTable, type HolderKind } from './education.tables.js';
import { auditActor, type SchoolAccess } from './school-access.js';

type Trx = Transaction<Tables>;

export interface Asset {
  id: string;
  memberId: string;
  schoolId: string | null;
  schoolName: string | null;
  type: AssetType;
  serial: string;
  label: string;
  supplier: string | null;
  orderRef: string | null;
  purchaseDate: string | null;
  warrantyEnd: string | null;
  unitPrice: number | null;
  state: AssetState;
  room: string | null;
  holder: string | null;
}

export type Holder =
  | { kind: 'pupil'; pupilId: string }
  | { kind: 'teacher'; staffId: string }
  | { kind: 'class'; classId: string }
  | { kind: 'room'; room: string };

export interface AssetImportReject {
  line: number;
  serial: string | null;
  reason: string;
}

/** The payload of purchasing.order.delivered (see the delivery contract), checked at this boundary. */
export const DeliveredOrder = Type.Object({
  orderId: Type.String({ minLength: 1 }),
  orderNumber: Type.String({ minLength: 1 }),
  memberId: Type.String({ minLength: 1 }),
  deliverySiteId: Type.Union([Type.Null(), Type.String()]),
  lotCode: Type.String({ minLength: 1 }),
  agreementReference: Type.String(),
  deliveryId: Type.String({ minLength: 1 }),
  deliveredAt: Type.String({ minLength: 10 }),
  supplier: Type.Object({ name: Type.String({ minLength: 1 }), siret: Type.String() }),
  lines: Type.Array(
    Type.Object({
      orderLineId: Type.String({ minLength: 1 }),
      itemReference: Type.String(),
      itemLabel: Type.String({ minLength: 1 }),
      category: Type.String(),
      quantity: Type.Integer({ minimum: 0, maximum: 100000 }),
      unitPriceExclVat: Type.Number({ minimum: 0 }),
      serialNumbers: Type.Array(Type.String({ minLength: 1, maxLength: 80 })),
    }),
  ),
});
export type DeliveredOrder = Static<typeof DeliveredOrder>;
const checkDelivery = Compile(DeliveredOrder);
/** Lots whose deliveries are school equipment. */
export const EDUCATION_LOTS = new Set(['e-education', 'school-furniture']);
export const DELIVERY_TOPIC = 'purchasing.order.delivered';

const ASSET_COLUMNS = [
  { key: 'uai', names: ['UAI', 'Code UAI'], required: false },
  { key: 'member', names: ['Membre', 'Member'], required: false },
  { key: 'type', names: ['Type'], required: true },
  { key: 'serial', names: ['Numéro de série', 'Serial', 'N° de série'], required: true },
  { key: 'label', names: ['Libellé', 'Modèle', 'Label'], required: true },
  { key: 'supplier', names: ['Fournisseur', 'Supplier'], required: false },
  { key: 'order', names: ['Référence commande', 'Commande', 'Order reference'], required: false },
  { key: 'purchased', names: ['Date d’achat', "Date d'achat", 'Purchase date'], required: false },
  { key: 'warranty', names: ['Fin de garantie', 'Warranty end'], required: false },
  { key: 'price', names: ['Prix unitaire HT', 'Prix HT', 'Unit price'], required: false },
  { key: 'room', names: ['Salle', 'Room'], required: false },
] as const;

const SERIAL = /^[A-Za-z0-9][\w./-]{2,79}$/;
const INSERT_BATCH = 10_000;

const toAsset = (r: Selectable<EduAssetsTable> & { school_name: string | null; holder: string | null }): Asset => ({
  id: r.id,
  memberId: r.member_id,
  schoolId: r.school_id,
  schoolName: r.school_name,
  type: r.type,
  serial: r.serial,
  label: r.label,
  supplier: r.supplier,
  orderRef: r.order_ref,
  purchaseDate: r.purchase_date,
  warrantyEnd: r.warranty_end,
  unitPrice: r.unit_price === null ? null : Number(r.unit_price),
  state: r.state,
  room: r.room,
  holder: r.holder,
});

export class AssetService {
  private readonly db: Db;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly access: SchoolAccess,
  ) {
    this.db = database.db;
    bus.subscribe(DELIVERY_TOPIC, (event) => this.receiveDelivery(event).then(() => undefined));
  }

  private assetQuery() {
    return this.db
      .selectFrom('edu_assets as a')
      .leftJoin('edu_schools as s', 's.id', 'a.school_id')
      .leftJoin('edu_assignments as g', (j) => j.onRef('g.asset_id', '=', 'a.id').on('g.returned_at', 'is', null))
      .leftJoin('edu_pupils as p', 'p.id', 'g.pupil_id')
      .leftJoin('edu_staff as t', 't.id', 'g.staff_id')
      .leftJoin('edu_classes as c', 'c.id', 'g.class_id')
      .selectAll('a')
      .select([
        's.name as school_name',
        sql<string | null>`case g.holder_kind
          when 'pupil' then 'Élève ' || p.first_name || ' ' || p.last_initial || '.'
          when 'teacher' then t.first_name || ' ' || t.last_name
          when 'class' then 'Classe ' || c.name
          when 'room' then 'Salle ' || g.room end`.as('holder'),
      ]);
  }

  async list(actor: Actor, filter: PageRequest & { q?: string | undefined; schoolId?: string | undefined; type?: AssetType | undefined; state?: AssetState | undefined }) {
    let query = this.assetQuery();
    if (filter.schoolId) {
      await this.access.require(actor, filter.schoolId, 'education_asset', 'read');
      query = query.where('a.school_id', '=', filter.schoolId);
    } else if (actor.role === 'school_staff') {
      const schools = await this.access.scope(actor, 'education_asset');
      query = query.where('a.school_id', 'in', schools === 'all' ? [] : schools.length ? schools : ['00000000-0000-0000-0000-000000000000']);
    } else {
      const scope = visibleScope(actor, 'education_asset');
      if (scope === 'none') query = query.where(sql<boolean>`false`);
      else if (scope !== 'all') query = query.where('a.member_id', 'in', scope.length ? scope : ['']);
    }
    if (filter.type) query = query.where('a.type', '=', filter.type);
    if (filter.state) query = query.where('a.state', '=', filter.state);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("a.serial || ' ' || a.label || ' ' || coalesce(a.room, '') || ' ' || coalesce(a.order_ref, '')"))}`, 'like', searchPattern(filter.q));
    const sort = parseSort(filter.sort, 'serial');
    const order = { serial: 'a.serial', type: 'a.type', state: 'a.state', purchaseDate: 'a.purchase_date' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(order[sort.field as keyof typeof order] ?? 'a.serial', sort.direction).orderBy('a.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAsset), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  private async load(id: string): Promise<Asset> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.assetQuery().where('a.id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw notFound('Équipement');
    return toAsset(row);
  }

  /** The asset if the actor may do `action` on it (404 when not theirs to see). */
  async require(actor: Actor, id: string, action: 'read' | 'update' | 'delete' = 'read'): Promise<Asset> {
    const asset = await this.load(id);
    await this.access.requireOwned(actor, { member_id: asset.memberId, school_id: asset.schoolId }, 'education_asset', action, 'Équipement');
    return asset;
  }

  async get(actor: Actor, id: string) {
    const asset = await this.require(actor, id);
    const history = await this.db.selectFrom('edu_asset_history').selectAll().where('asset_id', '=', id).orderBy('id').execute();
    return { ...asset, history: history.map((h) => ({ at: h.at.toISOString(), actor: h.actor, event: h.event, fromState: h.from_state, toState: h.to_state, detail: h.detail })) };
  }

  async bySerial(actor: Actor, serial: string): Promise<Asset> {
    const row = await this.db.selectFrom('edu_assets').select('id').where('serial', '=', serial.trim()).executeTakeFirst();
    if (!row) throw notFound(`Équipement de numéro de série ${serial}`);
    return this.require(actor, row.id);
  }

  /** Moves an asset to a state and writes its history line, in the caller's transaction. */
  async transition(trx: Trx, actor: string, assetId: string, from: AssetState | null, to: AssetState, event: string, detail = ''): Promise<void> {
    if (from !== to) await trx.updateTable('edu_assets').set({ state: to }).where('id', '=', assetId).execute();
    await trx.insertInto('edu_asset_history').values({ asset_id: assetId, actor, event, from_state: from, to_state: to, detail }).execute();
  }

  // Assignment

  private async holderOf(trx: Trx, schoolId: string, holder: Holder): Promise<{ pupil_id: string | null; staff_id: string | null; class_id: string | null; room: string | null; label: string }> {
    const none = { pupil_id: null, staff_id: null, class_id: null, room: null };
    switch (holder.kind) {
      case 'pupil': {
        const p = await trx.selectFrom('edu_pupils').select(['id', 'first_name', 'last_initial', 'left_at']).where('id', '=', holder.pupilId).where('school_id', '=', schoolId).executeTakeFirst();
        if (!p || p.left_at) throw validationFailed([{ field: '/body/pupilId', message: 'élève inconnu dans cette école (ou parti)' }]);
        return { ...none, pupil_id: p.id, label: `élève ${p.first_name} ${p.last_initial}.` };
      }
      case 'teacher': {
        const t = await trx.selectFrom('edu_staff').select(['id', 'first_name', 'last_name']).where('id', '=', holder.staffId).where('school_id', '=', schoolId).executeTakeFirst();
        if (!t) throw validationFailed([{ field: '/body/staffId', message: 'personnel inconnu dans cette école' }]);
        return { ...none, staff_id: t.id, label: `${t.first_name} ${t.last_name}` };
      }
      case 'class': {
        const c = await trx.selectFrom('edu_classes').select(['id', 'name']).where('id', '=', holder.classId).where('school_id', '=', schoolId).executeTakeFirst();
        if (!c) throw validationFailed([{ field: '/body/classId', message: 'classe inconnue dans cette école' }]);
        return { ...none, class_id: c.id, label: `classe ${c.name}` };
      }
      case 'room':
        return { ...none, room: holder.room.trim(), label: `salle ${holder.room.trim()}` };
    }
  }

  /** Opens an assignment; a device not in stock (already assigned, in repair…) is a 409. */
  async assignIn(trx: Trx, actor: string, asset: { id: string; serial: string; state: AssetState; school_id: string | null }, schoolId: string, holder: Holder, loan = false): Promise<string> {
    if (asset.state !== 'in_stock') {
      throw conflict(asset.state === 'assigned' ? `L’équipement ${asset.serial} est déjà attribué : restituez-le d’abord.` : `L’équipement ${asset.serial} n’est pas en stock (état : ${asset.state}).`);
    }
    if (asset.school_id !== null && asset.school_id !== schoolId) throw conflict(`L’équipement ${asset.serial} appartient au stock d’une autre école.`);
    const h = await this.holderOf(trx, schoolId, holder);
    const id = randomUUID();
    const inserted = await trx
      .insertInto('edu_assignments')
      .values({ id, asset_id: asset.id, school_id: schoolId, holder_kind: holder.kind as HolderKind, pupil_id: h.pupil_id, staff_id: h.staff_id, class_id: h.class_id, room: h.room, loan, returned_at: null, end_reason: null })
      .onConflict((oc) => oc.column('asset_id').where('returned_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw conflict(`L’équipement ${asset.serial} est déjà attribué : restituez-le d’abord.`);
    await trx.updateTable('edu_assets').set({ school_id: schoolId, ...(h.room ? { room: h.room } : {}) }).where('id', '=', asset.id).execute();
    await this.transition(trx, actor, asset.id, asset.state, 'assigned', loan ? 'loan' : 'assign', h.label);
    return id;
  }

  async assign(actor: Actor, assetId: string, schoolId: string, holder: Holder) {
    const school = await this.access.require(actor, schoolId, 'education_asset', 'update');
    const asset = await this.require(actor, assetId, 'update');
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('edu_assets').select(['id', 'serial', 'state', 'school_id', 'member_id']).where('id', '=', assetId).forUpdate().executeTakeFirstOrThrow();
      if (row.member_id !== school.member_id) throw conflict(`L’équipement ${row.serial} appartient à un autre membre.`);
      await this.assignIn(trx, actor.email, row, schoolId, holder);
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.assign', entityType: 'education_asset', entityId: assetId, memberId: school.member_id, summary: { serial: asset.serial, holder } });
    });
    await this.publish('assigned', school.member_id, { assetIds: [assetId], schoolId });
    return this.load(assetId);
  }

  /** Closes the open assignment of each asset and puts it back in stock; returns how many were closed. */
  async checkInAssets(trx: Trx, actor: string, assetIds: string[], reason: string): Promise<number> {
    if (!assetIds.length) return 0;
    const closed = await trx
      .updateTable('edu_assignments')
      .set({ returned_at: new Date(), end_reason: reason })
      .where('asset_id', 'in', assetIds)
      .where('returned_at', 'is', null)
      .returning('asset_id')
      .execute();
    const ids = closed.map((c) => c.asset_id);
    if (!ids.length) return 0;
    await trx.updateTable('edu_assets').set({ state: 'in_stock' }).where('id', 'in', ids).where('state', '=', 'assigned').execute();
    await trx
      .insertInto('edu_asset_history')
      .columns(['asset_id', 'actor', 'event', 'from_state', 'to_state', 'detail'])
      .expression((eb) => eb.selectFrom(sql<{ id: string }>`unnest(${sql.val(ids)}::uuid[])`.as('u')).select([sql`u`.as('asset_id'), sql.lit(actor).as('actor'), sql.lit('check_in').as('event'), sql.lit('assigned').as('from_state'), sql.lit('in_stock').as('to_state'), sql.lit(reason).as('detail')]))
      .execute();
    return ids.length;
  }

  async checkIn(actor: Actor, assetId: string) {
    const asset = await this.require(actor, assetId, 'update');
    const closed = await this.db.transaction().execute(async (trx) => {
      const n = await this.checkInAssets(trx, actor.email, [assetId], 'returned');
      if (n) await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.check_in', entityType: 'education_asset', entityId: assetId, memberId: asset.memberId, summary: { serial: asset.serial } });
      return n;
    });
    if (!closed) throw conflict(`L’équipement ${asset.serial} n’est attribué à personne.`);
    await this.publish('returned', asset.memberId, { assetIds: [assetId] });
    return this.load(assetId);
  }

  private async classOf(actor: Actor, classId: string) {
    const klass = /^[0-9a-f-]{36}$/i.test(classId) ? await this.db.selectFrom('edu_classes').selectAll().where('id', '=', classId).executeTakeFirst() : undefined;
    if (!klass) throw notFound('Classe');
    const school = await this.access.require(actor, klass.school_id, 'education_asset', 'update');
    return { klass, school };
  }

  /**
   * Gives one device of `type` from the school's stock to every pupil of the class who has none; all or
   * nothing: without enough stock nothing is assigned (409 with the counts).
   */
  async assignClassSet(actor: Actor, classId: string, type: AssetType) {
    const { klass, school } = await this.classOf(actor, classId);
    const result = await this.db.transaction().execute(async (trx) => {
      const pupils = await trx
        .selectFrom('edu_pupils as p')
        .select(['p.id'])
        .where('p.class_id', '=', classId)
        .where('p.left_at', 'is', null)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('edu_assignments as g').innerJoin('edu_assets as a', 'a.id', 'g.asset_id').select('g.id').whereRef('g.pupil_id', '=', 'p.id').where('g.returned_at', 'is', null).where('a.type', '=', type),
            ),
          ),
        )
        .orderBy('p.first_name')
        .orderBy('p.id')
        .execute();
      const stock = await trx
        .selectFrom('edu_assets')
        .select(['id', 'serial', 'state', 'school_id'])
        .where('school_id', '=', school.id)
        .where('type', '=', type)
        .where('state', '=', 'in_stock')
        .orderBy('serial')
        .limit(pupils.length)
        .forUpdate()
        .execute();
      if (stock.length < pupils.length) {
        throw conflict(`Stock insuffisant : ${pupils.length} élève(s) sans équipement de ce type, ${stock.length} en stock dans l’école. Rien n’a été attribué.`);
      }
      const assigned: { pupilId: string; serial: string }[] = [];
      for (const [i, pupil] of pupils.entries()) {
        await this.assignIn(trx, actor.email, stock[i]!, school.id, { kind: 'pupil', pupilId: pupil.id });
        assigned.push({ pupilId: pupil.id, serial: stock[i]!.serial });
      }
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.assign_class_set', entityType: 'education_class', entityId: classId, memberId: school.member_id, summary: { class: klass.name, type, assigned: assigned.length, serials: assigned.map((a) => a.serial) } });
      return { classId, type, assigned };
    });
    await this.publish('assigned', school.member_id, { classId, count: result.assigned.length });
    return result;
  }

  /** Takes back every device of the class's pupils (of one type, or all) and of the class itself. */
  async checkInClass(actor: Actor, classId: string, type?: AssetType) {
    const { klass, school } = await this.classOf(actor, classId);
    const returned = await this.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('edu_assignments as g')
        .innerJoin('edu_assets as a', 'a.id', 'g.asset_id')
        .leftJoin('edu_pupils as p', 'p.id', 'g.pupil_id')
        .select('g.asset_id')
        .where('g.returned_at', 'is', null)
        .where('g.loan', '=', false)
        .where((eb) => eb.or([eb('p.class_id', '=', classId), eb('g.class_id', '=', classId)]));
      if (type) query = query.where('a.type', '=', type);
      const ids = (await query.execute()).map((r) => r.asset_id);
      const n = await this.checkInAssets(trx, actor.email, ids, `class check-in ${klass.name}`);
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.check_in_class', entityType: 'education_class', entityId: classId, memberId: school.member_id, summary: { class: klass.name, type: type ?? null, returned: n } });
      return n;
    });
    await this.publish('returned', school.member_id, { classId, count: returned });
    return { classId, returned };
  }

  /** Compares the serials scanned in a room with what the register puts there. */
  async auditRoom(actor: Actor, schoolId: string, room: string, scanned: string[]) {
    const school = await this.access.require(actor, schoolId, 'education_asset', 'read');
    const serials = [...new Set(scanned.map((s) => s.trim()).filter(Boolean))];
    const expected = await this.db.selectFrom('edu_assets').select(['serial', 'type', 'label']).where('school_id', '=', schoolId).where('room', '=', room.trim()).where('state', 'not in', ['retired', 'lost_or_stolen']).orderBy('serial').execute();
    const found = new Set(serials);
    const expectedSet = new Set(expected.map((e) => e.serial));
    const others = serials.filter((s) => !expectedSet.has(s));
    const elsewhere = others.length ? await this.db.selectFrom('edu_assets as a').leftJoin('edu_schools as s', 's.id', 'a.school_id').select(['a.serial', 'a.room', 's.name as school', 'a.school_id']).where('a.serial', 'in', others).execute() : [];
    const known = new Map(elsewhere.map((e) => [e.serial, e]));
    const report = {
      schoolId,
      room: room.trim(),
      expected: expected.length,
      found: expected.filter((e) => found.has(e.serial)).map((e) => e.serial),
      missing: expected.filter((e) => !found.has(e.serial)).map((e) => ({ serial: e.serial, type: e.type, label: e.label })),
      unexpected: others.map((serial) => {
        const e = known.get(serial);
        // Where a device of another school is registered is that school's business: only "elsewhere" is said.
        const location = !e ? 'inconnu du registre' : e.school_id !== schoolId ? 'autre école' : e.room ? `salle ${e.room}` : 'stock de l’école';
        return { serial, registeredAt: location };
      }),
    };
    await this.db.transaction().execute(async (trx) => {
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.room_audit', entityType: 'education_school', entityId: schoolId, memberId: school.member_id, summary: { room: report.room, expected: report.expected, found: report.found.length, missing: report.missing.length, unexpected: report.unexpected.length } });
    });
    return report;
  }

  // Creation: CSV import and purchasing deliveries

  /**
   * Inserts assets with their first history line, in batches. Each batch is one statement over column
   * arrays (unnest): an import may hold tens of thousands of rows, and binding one parameter per value
   * costs more than the insert itself.
   */
  async insertAssets(trx: Trx, actor: string, rows: Insertable<EduAssetsTable>[], event: string): Promise<void> {
    const column = <K extends keyof EduAssetsTable>(batch: Insertable<EduAssetsTable>[], key: K) => sql.val(batch.map((r) => (r[key] ?? null) as unknown));
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const batch = rows.slice(i, i + INSERT_BATCH);
      await sql`
        with inserted as (
          insert into edu_assets (id, member_id, school_id, type, serial, label, supplier, order_ref, purchase_date, warranty_end, unit_price, state, room, delivery_key)
          select * from unnest(${column(batch, 'id')}::uuid[], ${column(batch, 'member_id')}::text[], ${column(batch, 'school_id')}::uuid[], ${column(batch, 'type')}::text[],
            ${column(batch, 'serial')}::text[], ${column(batch, 'label')}::text[], ${column(batch, 'supplier')}::text[], ${column(batch, 'order_ref')}::text[],
            ${column(batch, 'purchase_date')}::date[], ${column(batch, 'warranty_end')}::date[], ${column(batch, 'unit_price')}::numeric[], ${column(batch, 'state')}::text[],
            ${column(batch, 'room')}::text[], ${column(batch, 'delivery_key')}::text[])
          returning id, state)
        insert into edu_asset_history (asset_id, actor, event, from_state, to_state, detail)
        select id, ${actor}, ${event}, null, state, '' from inserted`.execute(trx);
    }
  }

  /**
   * Imports assets into the schools (UAI column) or members' central stock (Membre column) of the
   * actor's reach. Bad lines (unknown UAI, duplicate serial…) are rejected with their number and reason;
   * the others are written together.
   */
  async importCsv(actor: Actor, data: Buffer) {
    let table;
    try {
      table = readCsv('équipements', data, ASSET_COLUMNS);
    } catch (error) {
      if (error instanceof CsvFileRefused) throw new AppError(422, 'file_refused', `Import refusé, rien n’a été enregistré. ${error.message}`, [{ field: '/body', message: error.message }]);
      throw error;
    }
    const schools = new Map((await this.db.selectFrom('edu_schools').selectAll().execute()).map((s) => [s.uai, s]));
    const staffSchools = actor.role === 'school_staff' ? new Set(await this.access.assignedSchools(actor.userId)) : undefined;
    const allowed = new Map<string, boolean>();
    const mayCreate = (memberId: string, schoolId: string | null) => {
      const key = `${memberId}|${schoolId}`;
      let ok = allowed.get(key);
      if (ok === undefined) {
        ok = can(actor, 'create', 'education_asset', memberId) && (!staffSchools || (schoolId !== null && staffSchools.has(schoolId)));
        allowed.set(key, ok);
      }
      return ok;
    };
    const members = new Set((await this.db.selectFrom('members').select('id').execute()).map((m) => m.id));
    const rejects: AssetImportReject[] = [];
    const created = await withImportTransaction(this.database, async (trx, client) => {
      await sql`create temp table edu_asset_import (line int not null, id uuid not null, member_id text not null, school_id uuid, type text not null, serial text not null, label text not null,
        supplier text, order_ref text, purchase_date text, warranty_end text, unit_price text, room text) on commit drop`.execute(trx);
      const staging = client ? copyStaging(client) : insertStaging(trx);
      const seen = new Map<string, number>();
      const byMember = new Map<string, number>();
      for (const { line, values } of table.rows) {
        const reject = (reason: string) => rejects.push({ line, serial: values.serial || null, reason });
        const school = values.uai ? schools.get(values.uai.toUpperCase()) : undefined;
        const memberId = school?.member_id ?? values.member;
        const purchase = values.purchased ? parseDate(values.purchased) : null;
        const warranty = values.warranty ? parseDate(values.warranty) : null;
        const price = values.price ? Number(values.price.replace(',', '.').replace(/\s/g, '')) : null;
        if (!SERIAL.test(values.serial)) reject(values.serial ? `numéro de série invalide « ${values.serial} »` : 'numéro de série manquant');
        else if (seen.has(values.serial)) reject(`numéro de série en double dans le fichier (déjà ligne ${seen.get(values.serial)})`);
        else if (!ASSET_TYPES.includes(values.type as AssetType)) reject(`type inconnu « ${values.type} » (attendu : ${ASSET_TYPES.join(', ')})`);
        else if (!values.label) reject('libellé manquant');
        else if (values.uai && !school) reject(`UAI inconnu : ${values.uai}`);
        else if (!values.uai && !values.member) reject('UAI ou membre manquant');
        else if (!values.uai && !members.has(values.member)) reject(`membre inconnu : ${values.member}`);
        else if (!mayCreate(memberId, school?.id ?? null)) reject(`hors de votre périmètre : ${values.uai || values.member}`);
        else if (values.purchased && !purchase) reject(`date d’achat invalide « ${values.purchased} » (AAAA-MM-JJ ou JJ/MM/AAAA)`);
        else if (values.warranty && !warranty) reject(`date de fin de garantie invalide « ${values.warranty} »`);
        else if (price !== null && !(Number.isFinite(price) && price >= 0)) reject(`prix invalide « ${values.price} »`);
        else {
          seen.set(values.serial, line);
          byMember.set(memberId, (byMember.get(memberId) ?? 0) + 1);
          const pending = staging.push({
            line,
            id: randomUUID(),
            member_id: memberId,
            school_id: school?.id ?? null,
            type: values.type as AssetType,
            serial: values.serial,
            label: values.label.slice(0, 200),
            supplier: values.supplier || null,
            order_ref: values.order || null,
            purchase_date: purchase,
            warranty_end: warranty,
            unit_price: price === null ? null : price.toFixed(2),
            room: values.room || null,
          });
          if (pending) await pending;
        }
      }
      await staging.finish();
      const registered = await sql<{ line: number; serial: string; member_id: string }>`delete from edu_asset_import i using edu_assets a where a.serial = i.serial returning i.line, i.serial, i.member_id`.execute(trx);
      for (const r of registered.rows) {
        rejects.push({ line: r.line, serial: r.serial, reason: `numéro de série déjà enregistré : ${r.serial}` });
        byMember.set(r.member_id, byMember.get(r.member_id)! - 1);
      }
      const fresh = seen.size - registered.rows.length;
      if (fresh) {
        await sql`insert into edu_assets (id, member_id, school_id, type, serial, label, supplier, order_ref, purchase_date, warranty_end, unit_price, state, room)
          select id, member_id, school_id, type, serial, label, supplier, order_ref, purchase_date::date, warranty_end::date, unit_price::numeric, 'in_stock', room from edu_asset_import`.execute(trx);
        await sql`insert into edu_asset_history (asset_id, actor, event, from_state, to_state, detail) select id, ${actor.email}, 'import', null, 'in_stock', '' from edu_asset_import`.execute(trx);
      }
      for (const [memberId, count] of byMember) {
        if (count) await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.import', entityType: 'education_asset', memberId, summary: { created: count, rejected: rejects.length, lines: table.rows.length } });
      }
      if (!fresh) await appendAudit(trx, { actor: auditActor(actor), action: 'education.asset.import', entityType: 'education_asset', summary: { created: 0, rejected: rejects.length, lines: table.rows.length } });
      return fresh;
    });
    rejects.sort((a, b) => a.line - b.line);
    return { lines: table.rows.length, created, encoding: table.encoding, rejects };
  }

  /**
   * Handles purchasing.order.delivered: one asset per delivered unit of an education lot, keyed by
   * (deliveryId, orderLineId, unit index), so that the same delivery handled twice creates nothing more.
   * An invalid payload is recorded as rejected with its reason instead of throwing at the publisher.
   */
  async receiveDelivery(event: DomainEvent): Promise<{ status: 'accepted' | 'rejected' | 'ignored' | 'duplicate'; assets: number; reason?: string }> {
    const data = event.data as Partial<DeliveredOrder> | undefined;
    const deliveryId = typeof data?.deliveryId === 'string' && data.deliveryId ? data.deliveryId : `event-${event.id}`;
    const reject = async (reason: string) => {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('edu_deliveries').values({ delivery_id: deliveryId, member_id: typeof data?.memberId === 'string' ? data.memberId : null, status: 'rejected', reason, assets: 0 }).onConflict((oc) => oc.column('delivery_id').doNothing()).execute();
        await appendAudit(trx, { actor: SYSTEM_ACTOR, action: 'education.delivery.reject', entityType: 'education_delivery', entityId: deliveryId, memberId: null, summary: { reason } });
      });
      return { status: 'rejected' as const, assets: 0, reason };
    };
    if (!checkDelivery.Check(data)) {
      const errors = [...checkDelivery.Errors(data)].slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
      return reject(`contenu invalide : ${errors.join(' ; ')}`);
    }
    const order = data as DeliveredOrder;
    if (!EDUCATION_LOTS.has(order.lotCode)) return { status: 'ignored', assets: 0 };
    const done = await this.db.selectFrom('edu_deliveries').select('status').where('delivery_id', '=', order.deliveryId).executeTakeFirst();
    if (done?.status === 'accepted') return { status: 'duplicate', assets: 0 };
    const badLine = order.lines.find((l) => !ASSET_TYPES.includes(l.category as AssetType));
    if (badLine) return reject(`ligne ${badLine.orderLineId} : catégorie « ${badLine.category} » qui n’est pas un type d’équipement (${ASSET_TYPES.join(', ')})`);
    const member = await this.db.selectFrom('members').select('id').where('id', '=', order.memberId).executeTakeFirst();
    if (!member) return reject(`membre inconnu : ${order.memberId}`);
    const school = order.deliverySiteId ? await this.db.selectFrom('edu_schools').select(['id', 'member_id']).where('id', '=', order.deliverySiteId).executeTakeFirst() : undefined;
    const purchaseDate = order.deliveredAt.slice(0, 10);
    const rows: Insertable<EduAssetsTable>[] = order.lines.flatMap((line) =>
      Array.from({ length: line.quantity }, (_, unit) => {
        const key = `${order.deliveryId}:${line.orderLineId}:${unit}`;
        return {
          id: randomUUID(),
          member_id: order.memberId,
          school_id: school && school.member_id === order.memberId ? school.id : null,
          type: line.category as AssetType,
          // Units delivered without a serial get a provisional one, to be corrected when labelled.
          serial: line.serialNumbers[unit] ?? `PROV-${createHash('sha256').update(key).digest('hex').slice(0, 12).toUpperCase()}`,
          label: line.itemLabel.slice(0, 200),
          supplier: order.supplier.name,
          order_ref: order.orderNumber,
          purchase_date: purchaseDate,
          warranty_end: null,
          unit_price: line.unitPriceExclVat.toFixed(2),
          state: 'in_stock' as const,
          room: null,
          delivery_key: key,
        };
      }),
    );
    const serials = rows.map((r) => r.serial);
    if (new Set(serials).size !== serials.length) return reject('numéros de série en double dans la livraison');
    try {
      const created = await this.db.transaction().execute(async (trx) => {
        const keys = rows.map((r) => r.delivery_key!);
        const already = new Set(keys.length ? (await trx.selectFrom('edu_assets').select('delivery_key').where('delivery_key', 'in', keys).execute()).map((r) => r.delivery_key) : []);
        const fresh = rows.filter((r) => !already.has(r.delivery_key!));
        const clash = fresh.length ? await trx.selectFrom('edu_assets').select('serial').where('serial', 'in', fresh.map((r) => r.serial)).executeTakeFirst() : undefined;
        if (clash) throw new DeliveryRefused(`numéro de série déjà enregistré : ${clash.serial}`);
        await this.insertAssets(trx, 'purchasing', fresh, `delivery ${order.orderNumber}`);
        await trx
          .insertInto('edu_deliveries')
          .values({ delivery_id: order.deliveryId, member_id: order.memberId, status: 'accepted', reason: null, assets: fresh.length })
          .onConflict((oc) => oc.column('delivery_id').doUpdateSet({ status: 'accepted', reason: null, assets: fresh.length }))
          .execute();
        await appendAudit(trx, { actor: SYSTEM_ACTOR, action: 'education.delivery.receive', entityType: 'education_delivery', entityId: order.deliveryId, memberId: order.memberId, summary: { orderNumber: order.orderNumber, assets: fresh.length, schoolId: school?.id ?? null } });
        return fresh.length;
      });
      if (created) await this.publish('created', order.memberId, { deliveryId: order.deliveryId, count: created });
      return { status: 'accepted', assets: created };
    } catch (error) {
      if (error instanceof DeliveryRefused) return reject(error.message);
      throw error;
    }
  }

  async listDeliveries(actor: Actor) {
    const scope = visibleScope(actor, 'education_asset');
    let query = this.db.selectFrom('edu_deliveries').selectAll().orderBy('received_at', 'desc').limit(200);
    if (scope === 'none') return [];
    if (scope !== 'all') query = query.where('member_id', 'in', scope.length ? scope : ['']);
    const rows = await query.execute();
    return rows.map((r) => ({ deliveryId: r.delivery_id, memberId: r.member_id, status: r.status, reason: r.reason, assets: r.assets, receivedAt: r.received_at.toISOString() }));
  }

  async publish(verb: string, memberId: string, data: Record<string, unknown>): Promise<void> {
    await this.bus.publish({ topic: `education.education_asset.${verb}`, memberId, data });
  }
}

class DeliveryRefused extends Error {}

const VALUE_COLUMNS = ['member_id', 'school_id', 'type', 'serial', 'label', 'supplier', 'order_ref', 'purchase_date', 'warranty_end', 'unit_price', 'room'] as const;

/** A line accepted by the importer's checks, on its way to the staging table: the asset's columns and its line. */
type ImportRow = { line: number } & Pick<EduAssetsTable, 'id' | (typeof VALUE_COLUMNS)[number]>;

const IMPORT_COLUMNS = ['line', 'id', ...VALUE_COLUMNS] as const;

const COPY_CHUNK = 5000;
// Up to 16 MB may wait in the stream before the checks pause for PostgreSQL.
const COPY_BUFFER = 16 * 1024 * 1024;
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const copyValue = (value: string | null) => (value === null ? '\\N' : COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value);

/**
 * Rows in COPY's text format, built as one string per chunk: a Buffer write per value (binary format) costs
 * more than PostgreSQL's parsing of the text.
 */
function copyText(rows: ImportRow[]): Buffer {
  let text = '';
  for (const r of rows) {
    text += `${r.line}\t${r.id}`;
    for (const key of VALUE_COLUMNS) text += `\t${copyValue(r[key])}`;
    text += '\n';
  }
  return Buffer.from(text);
}

interface Staging {
  /** A promise only when the caller should wait: PostgreSQL lagging far behind (COPY), a batch being written (PGlite). */
  push(row: ImportRow): Promise<void> | void;
  finish(): Promise<void>;
}

/**
 * The accepted lines streamed with COPY on the transaction's own connection (PostgreSQL server), chunk by
 * chunk while the next lines are checked: the server stores rows on the other core meanwhile.
 */
function copyStaging(client: pg.PoolClient): Staging {
  const stream = client.query(pgCopy.from(`copy edu_asset_import (${IMPORT_COLUMNS.join(', ')}) from stdin`));
  const done = finished(stream);
  done.catch(() => {});
  let chunk: ImportRow[] = [];
  return {
    push(row) {
      chunk.push(row);
      if (chunk.length < COPY_CHUNK) return;
      stream.write(copyText(chunk));
      chunk = [];
      if (stream.writableLength > COPY_BUFFER) return Promise.race([once(stream, 'drain'), done]).then(() => undefined);
    },
    async finish() {
      if (chunk.length) stream.write(copyText(chunk));
      stream.end();
      await done;
    },
  };
}

/** The accepted lines as column arrays, where there is no COPY (PGlite). */
function insertStaging(trx: Trx): Staging {
  let batch: ImportRow[] = [];
  const column = (key: (typeof IMPORT_COLUMNS)[number]) => sql.val(batch.map((r) => r[key]));
  const flush = async () => {
    if (!batch.length) return;
    await sql`insert into edu_asset_import (${sql.raw(IMPORT_COLUMNS.join(', '))})
      select * from unnest(${column('line')}::int[], ${column('id')}::uuid[], ${column('member_id')}::text[], ${column('school_id')}::uuid[],
        ${column('type')}::text[], ${column('serial')}::text[], ${column('label')}::text[], ${column('supplier')}::text[],
        ${column('order_ref')}::text[], ${column('purchase_date')}::text[], ${column('warranty_end')}::text[], ${column('unit_price')}::text[],
        ${column('room')}::text[])`.execute(trx);
    batch = [];
  };
  return {
    push(row) {
      batch.push(row);
      if (batch.length >= INSERT_BATCH) return flush();
    },
    finish: flush,
  };
}
