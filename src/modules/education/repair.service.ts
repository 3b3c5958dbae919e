import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { visibleScope, type Actor } from '../../platform/auth/policy.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { conflict, notFound, validationFailed } from '../../platform/http/errors.js';
import type { RepairKind, RepairOutcome, RepairStatus } from './education.tables.js';
import { auditActor, type SchoolAccess } from './school-access.js';
import type { AssetService, Holder } from './asset.service.js';

export interface Repair {
  id: string;
  assetId: string;
  serial: string;
  assetType: string;
  memberId: string;
  schoolId: string | null;
  schoolName: string | null;
  kind: RepairKind;
  description: string;
  status: RepairStatus;
  outcome: RepairOutcome | null;
  holder: string | null;
  loanSerial: string | null;
  reportedBy: string;
  reportedAt: string;
  closedAt: string | null;
}

/**
 * Repair tickets: school staff report a broken or lost device, which leaves its holder; a technician
 * works on it, may lend a device meanwhile, and closes the ticket, which gives the repaired device back.
 */
export class RepairService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly access: SchoolAccess,
    private readonly assets: AssetService,
  ) {}

  private query() {
    return this.db
      .selectFrom('edu_repairs as r')
      .innerJoin('edu_assets as a', 'a.id', 'r.asset_id')
      .leftJoin('edu_schools as s', 's.id', 'r.school_id')
      .leftJoin('edu_assets as l', 'l.id', 'r.loan_asset_id')
      .leftJoin('edu_assignments as g', 'g.id', 'r.holder_assignment_id')
      .leftJoin('edu_pupils as p', 'p.id', 'g.pupil_id')
      .leftJoin('edu_staff as t', 't.id', 'g.staff_id')
      .leftJoin('edu_classes as c', 'c.id', 'g.class_id')
      .selectAll('r')
      .select(['a.serial', 'a.type', 's.name as school_name', 'l.serial as loan_serial', 'g.holder_kind', 'p.first_name', 'p.last_initial', 't.first_name as staff_first', 't.last_name as staff_last', 'c.name as class_name', 'g.room']);
  }

  private toRepair(r: Awaited<ReturnType<ReturnType<RepairService['query']>['executeTakeFirstOrThrow']>>): Repair {
    const holder = !r.holder_kind
      ? null
      : r.holder_kind === 'pupil'
        ? `Élève ${r.first_name} ${r.last_initial}.`
        : r.holder_kind === 'teacher'
          ? `${r.staff_first} ${r.staff_last}`
          : r.holder_kind === 'class'
            ? `Classe ${r.class_name}`
            : `Salle ${r.room}`;
    return {
      id: r.id,
      assetId: r.asset_id,
      serial: r.serial,
      assetType: r.type,
      memberId: r.member_id,
      schoolId: r.school_id,
      schoolName: r.school_name,
      kind: r.kind,
      description: r.description,
      status: r.status,
      outcome: r.outcome,
      holder,
      loanSerial: r.loan_serial,
      reportedBy: r.reported_by,
      reportedAt: r.reported_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
    };
  }

  async list(actor: Actor, filter: { status?: RepairStatus | undefined; schoolId?: string | undefined }): Promise<Repair[]> {
    let query = this.query().orderBy('r.reported_at', 'desc').limit(500);
    if (actor.role === 'school_staff' || filter.schoolId) {
      const scope = filter.schoolId ? [(await this.access.require(actor, filter.schoolId, 'education_repair', 'read')).id] : await this.access.scope(actor, 'education_repair');
      if (scope !== 'all') query = query.where('r.school_id', 'in', scope.length ? scope : ['00000000-0000-0000-0000-000000000000']);
    } else {
      const scope = visibleScope(actor, 'education_repair');
      if (scope === 'none') return [];
      if (scope !== 'all') query = query.where('r.member_id', 'in', scope.length ? scope : ['']);
    }
    if (filter.status) query = query.where('r.status', '=', filter.status);
    return (await query.execute()).map((r) => this.toRepair(r));
  }

  private async require(actor: Actor, id: string, action: 'read' | 'update'): Promise<Repair> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.query().where('r.id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw notFound('Ticket de réparation');
    await this.access.requireOwned(actor, { member_id: row.member_id, school_id: row.school_id }, 'education_repair', action, 'Ticket de réparation');
    return this.toRepair(row);
  }

  async report(actor: Actor, input: { assetId: string; kind: RepairKind; description: string }): Promise<Repair> {
    const asset = await this.assets.require(actor, input.assetId);
    await this.access.requireOwned(actor, { member_id: asset.memberId, school_id: asset.schoolId }, 'education_repair', 'create', 'Équipement');
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('edu_assets').select(['state']).where('id', '=', asset.id).forUpdate().executeTakeFirstOrThrow();
      if (row.state === 'under_repair' || row.state === 'lost_or_stolen') throw conflict(`Un ticket est déjà ouvert pour l’équipement ${asset.serial}.`);
      if (row.state === 'retired') throw conflict(`L’équipement ${asset.serial} est réformé.`);
      const open = await trx.selectFrom('edu_assignments').select('id').where('asset_id', '=', asset.id).where('returned_at', 'is', null).executeTakeFirst();
      if (open) await trx.updateTable('edu_assignments').set({ returned_at: new Date(), end_reason: input.kind }).where('id', '=', open.id).execute();
      const to = input.kind === 'broken' ? 'under_repair' : 'lost_or_stolen';
      await this.assets.transition(trx, actor.email, asset.id, row.state, to, `report ${input.kind}`, input.description.slice(0, 200));
      await trx
        .insertInto('edu_repairs')
        .values({ id, asset_id: asset.id, member_id: asset.memberId, school_id: asset.schoolId, kind: input.kind, description: input.description.trim(), status: 'open', outcome: null, holder_assignment_id: open?.id ?? null, loan_asset_id: null, reported_by: actor.email, closed_at: null })
        .execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.repair.report', entityType: 'education_repair', entityId: id, memberId: asset.memberId, summary: { serial: asset.serial, kind: input.kind } });
    });
    await this.publish('reported', asset.memberId, id);
    return this.require(actor, id, 'read');
  }

  async start(actor: Actor, id: string): Promise<Repair> {
    const repair = await this.require(actor, id, 'update');
    if (repair.status !== 'open') throw conflict('Seul un ticket ouvert peut être pris en charge.');
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('edu_repairs').set({ status: 'in_progress' }).where('id', '=', id).execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.repair.start', entityType: 'education_repair', entityId: id, memberId: repair.memberId });
    });
    await this.publish('updated', repair.memberId, id);
    return this.require(actor, id, 'read');
  }

  /** Lends a device of the stock to the holder the reported device was taken from. */
  async lend(actor: Actor, id: string, loanAssetId: string): Promise<Repair> {
    const repair = await this.require(actor, id, 'update');
    if (repair.status === 'closed') throw conflict('Ce ticket est clos.');
    if (repair.loanSerial) throw conflict(`Un prêt est déjà en cours (${repair.loanSerial}).`);
    const loan = await this.assets.require(actor, loanAssetId, 'update');
    await this.db.transaction().execute(async (trx) => {
      const previous = await trx.selectFrom('edu_repairs as r').innerJoin('edu_assignments as g', 'g.id', 'r.holder_assignment_id').select(['g.school_id', 'g.holder_kind', 'g.pupil_id', 'g.staff_id', 'g.class_id', 'g.room']).where('r.id', '=', id).executeTakeFirst();
      if (!previous) throw validationFailed([{ field: '/body/loanAssetId', message: 'l’équipement signalé n’était attribué à personne : aucun prêt à faire' }]);
      const row = await trx.selectFrom('edu_assets').select(['id', 'serial', 'state', 'school_id']).where('id', '=', loan.id).forUpdate().executeTakeFirstOrThrow();
      await this.assets.assignIn(trx, actor.email, row, previous.school_id, holderOf(previous), true);
      await trx.updateTable('edu_repairs').set({ loan_asset_id: loan.id }).where('id', '=', id).execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.repair.lend', entityType: 'education_repair', entityId: id, memberId: repair.memberId, summary: { loanSerial: loan.serial } });
    });
    await this.publish('updated', repair.memberId, id);
    return this.require(actor, id, 'read');
  }

  /**
   * Closes a ticket. repaired: the device goes back to its holder (or to stock), the loan device back to
   * stock; replaced: the device is retired and the loan device stays with the holder; not_found: a lost
   * device stays lost.
   */
  async close(actor: Actor, id: string, outcome: RepairOutcome): Promise<Repair> {
    const repair = await this.require(actor, id, 'update');
    if (repair.status === 'closed') throw conflict('Ce ticket est déjà clos.');
    if (outcome === 'not_found' && repair.kind !== 'lost_or_stolen') throw validationFailed([{ field: '/body/outcome', message: '« not_found » ne concerne qu’un équipement perdu ou volé' }]);
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('edu_repairs').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      const asset = await trx.selectFrom('edu_assets').select(['id', 'serial', 'state', 'school_id']).where('id', '=', r.asset_id).executeTakeFirstOrThrow();
      if (outcome === 'repaired') {
        await this.assets.transition(trx, actor.email, asset.id, asset.state, 'in_stock', 'repair closed', 'repaired');
        const previous = r.holder_assignment_id ? await trx.selectFrom('edu_assignments').selectAll().where('id', '=', r.holder_assignment_id).executeTakeFirst() : undefined;
        if (r.loan_asset_id) await this.assets.checkInAssets(trx, actor.email, [r.loan_asset_id], 'loan returned');
        const stillThere = previous && (previous.holder_kind !== 'pupil' || (await trx.selectFrom('edu_pupils').select('id').where('id', '=', previous.pupil_id!).where('left_at', 'is', null).executeTakeFirst()));
        if (previous && stillThere) await this.assets.assignIn(trx, actor.email, { ...asset, state: 'in_stock' }, previous.school_id, holderOf(previous));
      } else if (outcome === 'replaced') {
        await this.assets.transition(trx, actor.email, asset.id, asset.state, 'retired', 'repair closed', 'replaced');
        if (r.loan_asset_id) await trx.updateTable('edu_assignments').set({ loan: false }).where('asset_id', '=', r.loan_asset_id).where('returned_at', 'is', null).execute();
      } else {
        await this.assets.transition(trx, actor.email, asset.id, asset.state, 'lost_or_stolen', 'repair closed', 'not found');
      }
      await trx.updateTable('edu_repairs').set({ status: 'closed', outcome, closed_at: new Date() }).where('id', '=', id).execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.repair.close', entityType: 'education_repair', entityId: id, memberId: repair.memberId, summary: { serial: repair.serial, outcome } });
    });
    await this.publish('closed', repair.memberId, id);
    return this.require(actor, id, 'read');
  }

  private async publish(verb: string, memberId: string, repairId: string) {
    await this.bus.publish({ topic: `education.education_repair.${verb}`, memberId, data: { repairId } });
  }
}

function holderOf(a: { holder_kind: string; pupil_id: string | null; staff_id: string | null; class_id: string | null; room: string | null }): Holder {
  if (a.holder_kind === 'pupil') return { kind: 'pupil', pupilId: a.pupil_id! };
  if (a.holder_kind === 'teacher') return { kind: 'teacher', staffId: a.staff_id! };
  if (a.holder_kind === 'class') return { kind: 'class', classId: a.class_id! };
  return { kind: 'room', room: a.room! };
}
