/**
 * Judicial requisitions: recording one puts the matching segments on hold at once, in the same transaction.
 * Requisitions that overlap share the segments: a segment stays held while one open requisition holds it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { can, visibleScope, type Actor } from '../../platform/auth/policy.js';
import { AppError, conflict, forbidden, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import type { CameraRef, DevicesService } from '../security/index.js';
import type { RequisitionStatus } from './evidence.tables.js';
import { registerSummary } from './register.js';

export interface RequisitionInput {
  number: string;
  siteId: string;
  authority: string;
  officerName: string;
  officerService: string;
  /** The officer's account on the platform (role police_officer), who may then download the packages. */
  officerEmail?: string | null | undefined;
  legalBasis: string;
  cameraIds: string[];
  from: string;
  to: string;
  deadline: string;
}

export interface CameraCoverage {
  cameraId: string;
  cameraCode: string;
  cameraName: string;
  /** Segments of the requested range still recorded. */
  segments: number;
  sizeBytes: number;
  /** First and last recorded instants within the requested range. */
  from: string | null;
  to: string | null;
  /** What the index still holds for this camera, whatever the range: the answer to "what exists". */
  available: { from: string; to: string } | null;
}

export interface Requisition {
  id: string;
  number: string;
  siteId: string;
  siteName: string;
  memberId: string;
  authority: string;
  officerName: string;
  officerService: string;
  officerUserId: string | null;
  officerEmail: string | null;
  legalBasis: string;
  cameraIds: string[];
  from: string;
  to: string;
  deadline: string;
  status: RequisitionStatus;
  createdAt: string;
  createdBy: string;
  closedAt: string | null;
  heldSegments: number;
  coverage: CameraCoverage[];
}

const MS_PER_DAY = 86_400_000;

export class RequisitionsService {
  constructor(
    private readonly db: Db,
    private readonly devices: DevicesService,
  ) {}

  private query() {
    return this.db
      .selectFrom('evidence_requisitions as r')
      .innerJoin('sites as s', 's.id', 'r.site_id')
      .leftJoin('users as u', 'u.id', 'r.officer_user_id')
      .selectAll('r')
      .select(['s.name as site_name', 'u.email as officer_email'])
      .select((eb) =>
        eb
          .selectFrom('evidence_holds as h')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('h.requisition_id', '=', 'r.id')
          .where('h.released_at', 'is', null)
          .as('held'),
      );
  }

  /** Per camera: what the requested range still has, and what the index holds at all. */
  async coverage(cameraIds: string[], from: Date, to: Date, cameras?: Map<string, CameraRef>): Promise<CameraCoverage[]> {
    if (!cameraIds.length) return [];
    cameras ??= await this.cameraMap();
    const rows = await this.db
      .selectFrom('evidence_segments as g')
      .select((eb) => [
        'g.camera_id',
        sql<number>`count(*) filter (where g.starts_at < ${to} and g.ends_at > ${from})`.as('segments'),
        sql<number>`coalesce(sum(g.size_bytes) filter (where g.starts_at < ${to} and g.ends_at > ${from}), 0)`.as('size'),
        sql<Date | null>`min(g.starts_at) filter (where g.starts_at < ${to} and g.ends_at > ${from})`.as('first'),
        sql<Date | null>`max(g.ends_at) filter (where g.starts_at < ${to} and g.ends_at > ${from})`.as('last'),
        eb.fn.min('g.starts_at').as('available_from'),
        eb.fn.max('g.ends_at').as('available_to'),
      ])
      .where('g.camera_id', 'in', cameraIds)
      .where('g.deleted_at', 'is', null)
      .groupBy('g.camera_id')
      .execute();
    const byCamera = new Map(rows.map((r) => [r.camera_id, r]));
    const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);
    return cameraIds.map((id) => {
      const r = byCamera.get(id);
      const camera = cameras.get(id);
      const availableFrom = iso(r?.available_from);
      const availableTo = iso(r?.available_to);
      return {
        cameraId: id,
        cameraCode: camera?.code ?? id,
        cameraName: camera?.name ?? '',
        segments: Number(r?.segments ?? 0),
        sizeBytes: Number(r?.size ?? 0),
        from: iso(r?.first),
        to: iso(r?.last),
        available: availableFrom && availableTo ? { from: availableFrom, to: availableTo } : null,
      };
    });
  }

  private async cameraMap(): Promise<Map<string, CameraRef>> {
    return new Map((await this.devices.cameras()).map((c) => [c.id, c]));
  }

  private async toRequisition(r: Awaited<ReturnType<ReturnType<RequisitionsService['query']>['executeTakeFirstOrThrow']>>, cameras?: Map<string, CameraRef>): Promise<Requisition> {
    return {
      id: r.id,
      number: r.number,
      siteId: r.site_id,
      siteName: r.site_name,
      memberId: r.member_id,
      authority: r.authority,
      officerName: r.officer_name,
      officerService: r.officer_service,
      officerUserId: r.officer_user_id,
      officerEmail: r.officer_email,
      legalBasis: r.legal_basis,
      cameraIds: r.camera_ids,
      from: r.starts_at.toISOString(),
      to: r.ends_at.toISOString(),
      deadline: r.deadline,
      status: r.status,
      createdAt: r.created_at.toISOString(),
      createdBy: r.created_by,
      closedAt: r.closed_at?.toISOString() ?? null,
      heldSegments: Number(r.held ?? 0),
      coverage: await this.coverage(r.camera_ids, r.starts_at, r.ends_at, cameras),
    };
  }

  /** A requisition is the reach of the site's member for authorised roles, and always of the officer it names. */
  mayRead(actor: Actor, r: { memberId: string; officerUserId: string | null }): boolean {
    return can(actor, 'read', 'evidence_requisition', r.memberId) || r.officerUserId === actor.userId;
  }

  async list(actor: Actor, filter: { status?: RequisitionStatus | undefined; q?: string | undefined; siteId?: string | undefined; from?: string | undefined; to?: string | undefined }): Promise<Requisition[]> {
    let q = this.query();
    const scope = visibleScope(actor, 'evidence_requisition');
    if (scope !== 'all') {
      const members = scope === 'none' ? [''] : scope.length ? scope : [''];
      q = q.where((eb) => eb.or([eb('r.member_id', 'in', members), eb('r.officer_user_id', '=', actor.userId)]));
    }
    if (filter.status) q = q.where('r.status', '=', filter.status);
    if (filter.siteId) q = q.where('r.site_id', '=', filter.siteId);
    // Requisitions whose images overlap [from, to): those an incident's report links to.
    if (filter.from) q = q.where('r.ends_at', '>', new Date(filter.from));
    if (filter.to) q = q.where('r.starts_at', '<', new Date(filter.to));
    if (filter.q) q = q.where((eb) => eb.or([eb('r.number', 'ilike', `%${filter.q}%`), eb('r.officer_name', 'ilike', `%${filter.q}%`), eb('s.name', 'ilike', `%${filter.q}%`)]));
    const [rows, cameras] = await Promise.all([q.orderBy('r.deadline').orderBy('r.number').limit(500).execute(), this.cameraMap()]);
    return Promise.all(rows.map((r) => this.toRequisition(r, cameras)));
  }

  async get(id: string): Promise<Requisition> {
    const row = await this.query().where('r.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Réquisition');
    return this.toRequisition(row);
  }

  async getFor(actor: Actor, id: string): Promise<Requisition> {
    const requisition = await this.get(id);
    if (!this.mayRead(actor, requisition)) throw forbidden('Cette réquisition ne vous concerne pas.');
    return requisition;
  }

  async create(actor: AuditActor, input: RequisitionInput, now = new Date()): Promise<Requisition> {
    const from = new Date(input.from);
    const to = new Date(input.to);
    const details: FieldError[] = [];
    if (to <= from) details.push({ field: '/body/to', message: 'la fin de la période doit suivre son début' });
    if (from > now) details.push({ field: '/body/from', message: 'la période commence dans le futur : rien n’est encore enregistré' });
    if (to.getTime() - from.getTime() > 31 * MS_PER_DAY) details.push({ field: '/body/to', message: 'une période de plus de 31 jours dépasse toute durée de conservation légale' });
    const cameras = await this.cameraMap();
    const site = await this.db.selectFrom('sites').select(['member_id', 'name']).where('id', '=', input.siteId).executeTakeFirst();
    if (!site) details.push({ field: '/body/siteId', message: 'site inconnu' });
    for (const id of input.cameraIds) {
      const camera = cameras.get(id);
      if (!camera) details.push({ field: '/body/cameraIds', message: `caméra inconnue : ${id}` });
      else if (camera.siteId !== input.siteId) details.push({ field: '/body/cameraIds', message: `la caméra ${camera.code} n’est pas sur ce site` });
    }
    let officerUserId: string | null = null;
    if (input.officerEmail) {
      const officer = await this.db.selectFrom('users').select(['id', 'role']).where('email', '=', input.officerEmail.toLowerCase()).executeTakeFirst();
      if (!officer) details.push({ field: '/body/officerEmail', message: `aucun compte ${input.officerEmail}` });
      else if (officer.role !== 'police_officer') details.push({ field: '/body/officerEmail', message: 'ce compte n’est pas celui d’un officier de police judiciaire' });
      else officerUserId = officer.id;
    }
    if (details.length || !site) throw validationFailed(details);
    const coverage = await this.coverage(input.cameraIds, from, to, cameras);
    if (coverage.every((c) => c.segments === 0)) {
      const exists = coverage.map((c) => (c.available ? `${c.cameraCode} : du ${c.available.from} au ${c.available.to}` : `${c.cameraCode} : aucun enregistrement`)).join(' ; ');
      throw new AppError(
        422,
        'recordings_purged',
        `Aucun enregistrement de ces caméras sur cette période : les images ont été supprimées à l’expiration de la durée de conservation, ou n’ont jamais existé. Enregistrements disponibles — ${exists}.`,
        coverage.map((c) => ({ field: `/body/cameraIds/${c.cameraCode}`, message: c.available ? `disponible du ${c.available.from} au ${c.available.to}` : 'aucun enregistrement' })),
      );
    }
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const duplicate = await trx.selectFrom('evidence_requisitions').select('id').where('number', '=', input.number).executeTakeFirst();
      if (duplicate) throw conflict(`La réquisition n° ${input.number} est déjà enregistrée.`);
      await trx
        .insertInto('evidence_requisitions')
        .values({
          id,
          number: input.number,
          site_id: input.siteId,
          member_id: site.member_id,
          authority: input.authority,
          officer_name: input.officerName,
          officer_service: input.officerService,
          officer_user_id: officerUserId,
          legal_basis: input.legalBasis,
          camera_ids: input.cameraIds,
          starts_at: from,
          ends_at: to,
          deadline: input.deadline,
          status: 'open',
          created_by: actor.label,
          closed_at: null,
        })
        .execute();
      const held = await sql<{ shared: number; total: number }>`
        with placed as (
          insert into evidence_holds (requisition_id, segment_id)
          select ${id}::uuid, g.id from evidence_segments g
          where g.camera_id = any(${input.cameraIds}::uuid[]) and g.deleted_at is null and g.starts_at < ${to} and g.ends_at > ${from}
          returning segment_id)
        select count(*)::int as total,
          count(*) filter (where exists (select 1 from evidence_holds h where h.segment_id = placed.segment_id and h.released_at is null))::int as shared
        from placed`.execute(trx);
      const camerasOf = input.cameraIds.map((c) => ({ id: c, code: cameras.get(c)!.code }));
      const common = { cameras: camerasOf, from: from.toISOString(), to: to.toISOString(), siteName: site.name, requisition: input.number, service: `${input.authority} — ${input.officerService}` };
      await appendAudit(trx, {
        actor,
        action: 'evidence.requisition.create',
        entityType: 'evidence_requisition',
        entityId: id,
        memberId: site.member_id,
        summary: registerSummary({ reason: `Réquisition n° ${input.number} (${input.legalBasis})`, ...common, officer: input.officerName, deadline: input.deadline }),
      });
      await appendAudit(trx, {
        actor,
        action: 'evidence.hold.place',
        entityType: 'evidence_requisition',
        entityId: id,
        memberId: site.member_id,
        summary: registerSummary({ reason: `Gel des images pour la réquisition n° ${input.number}`, ...common, segments: held.rows[0]?.total ?? 0, alreadyHeldByAnother: held.rows[0]?.shared ?? 0 }),
      });
    });
    return this.get(id);
  }

  /** Ends the requisition and lifts its holds; segments that no other requisition holds follow retention again. */
  async release(actor: AuditActor, id: string, reason: string): Promise<Requisition> {
    const requisition = await this.get(id);
    if (requisition.status === 'closed') throw conflict('La réquisition est déjà close et ses images libérées.');
    await this.db.transaction().execute(async (trx) => {
      const now = new Date();
      const released = await trx.updateTable('evidence_holds').set({ released_at: now }).where('requisition_id', '=', id).where('released_at', 'is', null).executeTakeFirst();
      await trx.updateTable('evidence_requisitions').set({ status: 'closed', closed_at: now }).where('id', '=', id).execute();
      const cameras = requisition.coverage.map((c) => ({ id: c.cameraId, code: c.cameraCode }));
      await appendAudit(trx, {
        actor,
        action: 'evidence.hold.release',
        entityType: 'evidence_requisition',
        entityId: id,
        memberId: requisition.memberId,
        summary: registerSummary({ reason, cameras, from: requisition.from, to: requisition.to, siteName: requisition.siteName, requisition: requisition.number, segments: Number(released.numUpdatedRows) }),
      });
    });
    return this.get(id);
  }
}
