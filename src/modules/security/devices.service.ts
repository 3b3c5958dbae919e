import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { visibleScope, type Actor, type Resource } from '../../platform/auth/policy.js';
import { conflict, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import {
  DEVICE_MODELS,
  SCHOOL_HOURS_EXCLUDED_ZONES,
  type CameraPurpose,
  type DeviceKind,
  type DeviceStatus,
  type SecurityDevicesTable,
  type Zone,
} from './security.tables.js';

/** Which sites a user's security lists show: every site, those of some members, or those of some sites. */
export type SiteScope = { all: true } | { memberIds: string[] } | { siteIds: string[] };

export interface Device {
  id: string;
  code: string;
  name: string;
  kind: DeviceKind;
  model: string | null;
  siteId: string;
  siteName: string;
  siteKind: string;
  memberId: string;
  zone: Zone | null;
  /** A school zone the law keeps out of video protection during opening hours. */
  zoneRestricted: boolean;
  purposes: string[];
  streamRef: string | null;
  frigateCamera: string | null;
  doorId: string | null;
  installDate: string | null;
  maintainer: string | null;
  status: DeviceStatus;
  statusAt: string | null;
}

export interface CameraRef {
  id: string;
  code: string;
  name: string;
  siteId: string;
  siteName: string;
  memberId: string;
  frigateCamera: string | null;
}

export interface DeviceInput {
  code: string;
  name: string;
  kind: DeviceKind;
  model?: string | null | undefined;
  siteId: string;
  zone?: Zone | null | undefined;
  purposes?: CameraPurpose[] | undefined;
  streamRef?: string | null | undefined;
  frigateCamera?: string | null | undefined;
  doorId?: string | null | undefined;
  installDate?: string | null | undefined;
  maintainer?: string | null | undefined;
}

export interface Centre {
  id: string;
  name: string;
  siteIds: string[];
  memberIds: string[];
  operators: { userId: string; email: string }[];
}

export const hashDeviceToken = (token: string) => createHash('sha256').update(token).digest('hex');

const THERMAL_REFUSAL =
  "Une caméra thermique sert uniquement à la détection d'intrusion : la mesure de la température des personnes est interdite.";

type DeviceRow = Selectable<SecurityDevicesTable> & { site_name: string; site_kind: string };

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  model: r.model,
  siteId: r.site_id,
  siteName: r.site_name,
  siteKind: r.site_kind,
  memberId: r.member_id,
  zone: r.zone,
  zoneRestricted: r.zone_restricted,
  purposes: r.purposes,
  streamRef: r.stream_ref,
  frigateCamera: r.frigate_camera,
  doorId: r.door_id,
  installDate: r.install_date,
  maintainer: r.maintainer,
  status: r.status,
  statusAt: r.status_at?.toISOString() ?? null,
});

export class DevicesService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  /**
   * The sites whose security data an actor sees: the policy's reach, narrowed for operators to the
   * sites of the centre they serve (none when they serve no centre).
   */
  async scopeOf(actor: Actor, resource: Resource): Promise<SiteScope> {
    if (actor.role === 'operator') return { siteIds: await this.centreSiteIds(actor.userId) };
    const scope = visibleScope(actor, resource);
    if (scope === 'all') return { all: true };
    return { memberIds: scope === 'none' ? [] : scope };
  }

  /** Sites covered by the centre an operator serves. */
  async centreSiteIds(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('sites')
      .select('sites.id')
      .where((eb) =>
        eb.or([
          eb('sites.id', 'in', eb.selectFrom('security_centre_sites as cs').innerJoin('security_operators as o', 'o.centre_id', 'cs.centre_id').select('cs.site_id').where('o.user_id', '=', userId)),
          eb('sites.member_id', 'in', eb.selectFrom('security_centre_members as cm').innerJoin('security_operators as o', 'o.centre_id', 'cm.centre_id').select('cm.member_id').where('o.user_id', '=', userId)),
        ]),
      )
      .execute();
    return rows.map((r) => r.id);
  }

  inScope(scope: SiteScope, site: { siteId: string; memberId: string }): boolean {
    if ('all' in scope) return true;
    if ('siteIds' in scope) return scope.siteIds.includes(site.siteId);
    return scope.memberIds.includes(site.memberId);
  }

  private query() {
    return this.db
      .selectFrom('security_devices as d')
      .innerJoin('sites as s', 's.id', 'd.site_id')
      .selectAll('d')
      .select(['s.name as site_name', 's.kind as site_kind']);
  }

  async list(scope: SiteScope, filter: PageRequest & { q?: string | undefined; siteId?: string | undefined; kind?: DeviceKind | undefined; status?: DeviceStatus | undefined }) {
    let query = this.query();
    if ('siteIds' in scope) query = query.where('d.site_id', 'in', scope.siteIds.length ? scope.siteIds : ['00000000-0000-0000-0000-000000000000']);
    if ('memberIds' in scope) query = query.where('d.member_id', 'in', scope.memberIds.length ? scope.memberIds : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("d.name || ' ' || d.code || ' ' || coalesce(d.frigate_camera, '') || ' ' || s.name"))}`, 'like', searchPattern(filter.q));
    if (filter.siteId) query = query.where('d.site_id', '=', filter.siteId);
    if (filter.kind) query = query.where('d.kind', '=', filter.kind);
    if (filter.status) query = query.where('d.status', '=', filter.status);
    const sort = parseSort(filter.sort, 'code');
    const column = { code: 'd.code', name: 'd.name', site: 's.name', status: 'd.status', kind: 'd.kind' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('d.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toDevice), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async get(id: string): Promise<Device> {
    const row = await this.query().where('d.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Équipement');
    return toDevice(row);
  }

  /** Checks a device against the law and the territory; returns the columns derived from its site. */
  private async check(input: DeviceInput, selfId: string | null) {
    const details: FieldError[] = [];
    const models = DEVICE_MODELS[input.kind];
    if (models.length && !input.model) details.push({ field: '/body/model', message: `modèle obligatoire (${models.join(', ')})` });
    if (input.model && !models.includes(input.model)) {
      details.push({ field: '/body/model', message: models.length ? `modèle inconnu pour ce type (${models.join(', ')})` : 'ce type d’équipement n’a pas de modèle' });
    }
    let purposes: string[] = [];
    if (input.kind === 'camera') {
      purposes = input.purposes ?? (input.model === 'thermal' ? ['intrusion_detection'] : ['video_protection']);
      if (purposes.includes('temperature_measurement')) details.push({ field: '/body/purposes', message: THERMAL_REFUSAL });
      else if (input.model === 'thermal' && purposes.some((p) => p !== 'intrusion_detection')) details.push({ field: '/body/purposes', message: THERMAL_REFUSAL });
    } else {
      if (input.purposes?.length) details.push({ field: '/body/purposes', message: 'seules les caméras ont des finalités' });
      if (input.frigateCamera) details.push({ field: '/body/frigateCamera', message: 'seules les caméras ont un nom Frigate' });
      if (input.streamRef) details.push({ field: '/body/streamRef', message: 'seules les caméras ont un flux vidéo' });
    }

    const site = await this.db.selectFrom('sites').select(['id', 'kind', 'member_id']).where('id', '=', input.siteId).executeTakeFirst();
    if (!site) details.push({ field: '/body/siteId', message: 'site inconnu' });
    if (site?.kind === 'school' && input.kind === 'camera' && !input.zone) {
      details.push({ field: '/body/zone', message: 'zone obligatoire pour une caméra dans un établissement scolaire (entrée, couloir, périmètre…)' });
    }
    if (input.doorId) {
      if (input.kind !== 'reader' && input.kind !== 'intrusion_sensor') details.push({ field: '/body/doorId', message: 'seuls les lecteurs et détecteurs se rattachent à une porte' });
      const door = await this.db.selectFrom('security_devices').select(['kind', 'site_id']).where('id', '=', input.doorId).executeTakeFirst();
      if (!door || door.kind !== 'door') details.push({ field: '/body/doorId', message: 'porte inconnue' });
      else if (door.site_id !== input.siteId) details.push({ field: '/body/doorId', message: 'la porte est sur un autre site' });
    }
    if (details.length) throw validationFailed(details);

    const clash = await this.db
      .selectFrom('security_devices')
      .select(['code', 'frigate_camera'])
      .where((eb) => eb.or([eb('code', '=', input.code), ...(input.frigateCamera ? [eb('frigate_camera', '=', input.frigateCamera)] : [])]))
      .where('id', '!=', selfId ?? '00000000-0000-0000-0000-000000000000')
      .executeTakeFirst();
    if (clash) {
      const sameCode = clash.code === input.code;
      throw conflict(sameCode ? `Un équipement a déjà le code ${input.code}.` : `La caméra Frigate « ${input.frigateCamera} » est déjà déclarée.`, [
        { field: sameCode ? '/body/code' : '/body/frigateCamera', message: 'déjà utilisé' },
      ]);
    }
    const zone = input.zone ?? null;
    return {
      member_id: site!.member_id,
      purposes,
      zone,
      zone_restricted: site!.kind === 'school' && zone !== null && SCHOOL_HOURS_EXCLUDED_ZONES.includes(zone),
    };
  }

  private columns(input: DeviceInput) {
    return {
      code: input.code.trim(),
      name: input.name.trim(),
      kind: input.kind,
      model: input.model ?? null,
      site_id: input.siteId,
      stream_ref: input.streamRef ?? null,
      frigate_camera: input.frigateCamera ?? null,
      door_id: input.doorId ?? null,
      install_date: input.installDate ?? null,
      maintainer: input.maintainer ?? null,
    };
  }

  async create(actor: AuditActor, input: DeviceInput): Promise<Device> {
    const derived = await this.check(input, null);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('security_devices').values({ id, ...this.columns(input), ...derived }).execute();
      await appendAudit(trx, { actor, action: 'security.device.create', entityType: 'security_device', entityId: id, memberId: derived.member_id, summary: { after: { ...input } } });
    });
    const device = await this.get(id);
    await this.bus.publish({ topic: 'security.security_device.created', memberId: device.memberId, data: device });
    return device;
  }

  async update(actor: AuditActor, id: string, changes: Partial<DeviceInput>): Promise<Device> {
    const current = await this.get(id);
    const merged: DeviceInput = {
      code: current.code,
      name: current.name,
      kind: current.kind,
      model: current.model,
      siteId: current.siteId,
      zone: current.zone,
      purposes: current.kind === 'camera' ? (current.purposes as CameraPurpose[]) : undefined,
      streamRef: current.streamRef,
      frigateCamera: current.frigateCamera,
      doorId: current.doorId,
      installDate: current.installDate,
      maintainer: current.maintainer,
      ...changes,
    };
    const derived = await this.check(merged, id);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('security_devices').set({ ...this.columns(merged), ...derived, updated_at: new Date() }).where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'security.device.update', entityType: 'security_device', entityId: id, memberId: derived.member_id, summary: { changes } });
    });
    const device = await this.get(id);
    await this.bus.publish({ topic: 'security.security_device.updated', memberId: device.memberId, data: device });
    return device;
  }

  /** A new token for a device that posts its events over HTTP; only its hash is kept, the token is shown once. */
  async issueToken(actor: AuditActor, id: string): Promise<string> {
    const device = await this.get(id);
    const token = `mdt_${randomBytes(24).toString('base64url')}`;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('security_devices').set({ token_hash: hashDeviceToken(token), updated_at: new Date() }).where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'security.device.token', entityType: 'security_device', entityId: id, memberId: device.memberId });
    });
    return token;
  }

  async deviceByToken(token: string): Promise<{ id: string; code: string } | undefined> {
    return this.db.selectFrom('security_devices').select(['id', 'code']).where('token_hash', '=', hashDeviceToken(token)).executeTakeFirst();
  }

  /** Every camera with what the recordings index needs to file a segment (evidence module). */
  async cameras(): Promise<CameraRef[]> {
    const rows = await this.query().where('d.kind', '=', 'camera').orderBy('d.code').execute();
    return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, siteId: r.site_id, siteName: r.site_name, memberId: r.member_id, frigateCamera: r.frigate_camera }));
  }

  /** The member owning a site, for authorising a write before it is checked; null for an unknown site. */
  async memberOfSite(siteId: string): Promise<string | null> {
    const site = await this.db.selectFrom('sites').select('member_id').where('id', '=', siteId).executeTakeFirst();
    return site?.member_id ?? null;
  }

  // ----- supervision centres -----

  async listCentres(): Promise<Centre[]> {
    const [centres, sites, members, operators] = await Promise.all([
      this.db.selectFrom('security_centres').select(['id', 'name']).orderBy('name').execute(),
      this.db.selectFrom('security_centre_sites').selectAll().execute(),
      this.db.selectFrom('security_centre_members').selectAll().execute(),
      this.db.selectFrom('security_operators as o').innerJoin('users as u', 'u.id', 'o.user_id').select(['o.centre_id', 'o.user_id', 'u.email']).orderBy('u.email').execute(),
    ]);
    return centres.map((c) => ({
      id: c.id,
      name: c.name,
      siteIds: sites.filter((s) => s.centre_id === c.id).map((s) => s.site_id),
      memberIds: members.filter((m) => m.centre_id === c.id).map((m) => m.member_id),
      operators: operators.filter((o) => o.centre_id === c.id).map((o) => ({ userId: o.user_id, email: o.email })),
    }));
  }

  async getCentre(id: string): Promise<Centre> {
    const centre = (await this.listCentres()).find((c) => c.id === id);
    if (!centre) throw notFound('Centre de supervision');
    return centre;
  }

  async saveCentre(actor: AuditActor, id: string | null, input: { name: string; siteIds: string[]; memberIds: string[] }): Promise<Centre> {
    const details: FieldError[] = [];
    const siteIds = [...new Set(input.siteIds)];
    const memberIds = [...new Set(input.memberIds)];
    if (siteIds.length) {
      const known = await this.db.selectFrom('sites').select('id').where('id', 'in', siteIds).execute();
      for (const s of siteIds) if (!known.some((k) => k.id === s)) details.push({ field: '/body/siteIds', message: `site inconnu : ${s}` });
    }
    if (memberIds.length) {
      const known = await this.db.selectFrom('members').select('id').where('id', 'in', memberIds).execute();
      for (const m of memberIds) if (!known.some((k) => k.id === m)) details.push({ field: '/body/memberIds', message: `membre inconnu : ${m}` });
    }
    if (details.length) throw validationFailed(details);
    if (id) await this.getCentre(id);
    const clash = await this.db.selectFrom('security_centres').select('id').where('name', '=', input.name.trim()).where('id', '!=', id ?? '00000000-0000-0000-0000-000000000000').executeTakeFirst();
    if (clash) throw conflict(`Un centre s’appelle déjà « ${input.name.trim()} ».`, [{ field: '/body/name', message: 'déjà utilisé' }]);
    const centreId = id ?? randomUUID();
    await this.db.transaction().execute(async (trx) => {
      if (id) await trx.updateTable('security_centres').set({ name: input.name.trim() }).where('id', '=', id).execute();
      else await trx.insertInto('security_centres').values({ id: centreId, name: input.name.trim() }).execute();
      await trx.deleteFrom('security_centre_sites').where('centre_id', '=', centreId).execute();
      await trx.deleteFrom('security_centre_members').where('centre_id', '=', centreId).execute();
      if (siteIds.length) await trx.insertInto('security_centre_sites').values(siteIds.map((site_id) => ({ centre_id: centreId, site_id }))).execute();
      if (memberIds.length) await trx.insertInto('security_centre_members').values(memberIds.map((member_id) => ({ centre_id: centreId, member_id }))).execute();
      await appendAudit(trx, { actor, action: id ? 'security.centre.update' : 'security.centre.create', entityType: 'security_centre', entityId: centreId, summary: { after: { name: input.name, siteIds, memberIds } } });
    });
    return this.getCentre(centreId);
  }

  /** Makes an operator serve a centre (or none). */
  async assignOperator(actor: AuditActor, userId: string, centreId: string | null): Promise<void> {
    const user = await this.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('Compte');
    if (user.role !== 'operator') throw validationFailed([{ field: '/params/userId', message: 'ce compte n’est pas un opérateur de supervision' }]);
    if (centreId) await this.getCentre(centreId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('security_operators').where('user_id', '=', userId).execute();
      if (centreId) await trx.insertInto('security_operators').values({ user_id: userId, centre_id: centreId }).execute();
      await appendAudit(trx, { actor, action: 'security.operator.assign', entityType: 'user', entityId: userId, summary: { centreId } });
    });
  }
}
