import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import type { ChargingConfig } from '../../platform/config.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { conflict, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import { SMO_MEMBER_ID, type TerritoryService } from '../territory/index.js';
import type { BadgeStatus, ChargingBadgesTable, ChargingSessionsTable, ChargingStationsTable, CommandStatus, Registration, SocketKind } from './charging.tables.js';
import { hashStationPassword, stationPasswordProblem } from './station-credentials.js';

export type Scope = 'all' | string[];

export interface ChargePointInput {
  connectorId: number;
  maxPowerKw: number;
  sockets: SocketKind[];
}

export interface Tariff {
  perKwh: number;
  perMinute: number;
  fixedFee: number;
}

export interface StationInput {
  name: string;
  siteId: string;
  ocppIdentity: string;
  password: string;
  address?: string | undefined;
  longitude?: number | undefined;
  latitude?: number | undefined;
  openingHours?: string | undefined;
  implantation?: string | undefined;
  accessCondition?: string | undefined;
  pmr?: string | undefined;
  heightRestriction?: string | undefined;
  commissioningDate?: string | null | undefined;
  gridConnection?: string | null | undefined;
  pdl?: string | null | undefined;
  tariff?: Tariff | undefined;
  chargePoints?: ChargePointInput[] | undefined;
}

export type StationChanges = Partial<Omit<StationInput, 'ocppIdentity' | 'chargePoints'>>;

export interface ChargePoint {
  connectorId: number;
  idPdcItinerance: string;
  maxPowerKw: number;
  sockets: SocketKind[];
  status: string | null;
  errorCode: string | null;
  statusAt: string | null;
  /** In a session (a started transaction not stopped yet). */
  occupied: boolean;
}

export interface Station {
  id: string;
  code: string;
  idStationItinerance: string;
  name: string;
  registration: Registration;
  siteId: string | null;
  communeInsee: string | null;
  communeName: string | null;
  memberId: string;
  longitude: number | null;
  latitude: number | null;
  address: string;
  openingHours: string;
  implantation: string;
  accessCondition: string;
  pmr: string;
  heightRestriction: string;
  commissioningDate: string | null;
  gridConnection: string | null;
  pdl: string | null;
  ocppIdentity: string;
  tariff: Tariff;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  firmwareStatus: string | null;
  diagnosticsStatus: string | null;
  configuration: unknown;
  configurationAt: string | null;
  lastBootAt: string | null;
  lastSeenAt: string | null;
  online: boolean;
  chargePoints: ChargePoint[];
  createdAt: string;
  updatedAt: string;
}

export interface Badge {
  idTag: string;
  label: string;
  status: BadgeStatus;
  ownerMemberId: string;
  ownerUserId: string | null;
  expiresAt: string | null;
  parentIdTag: string | null;
  createdAt: string;
  updatedAt: string;
}

export type BadgeInput = Omit<Badge, 'createdAt' | 'updatedAt' | 'ownerUserId' | 'expiresAt' | 'parentIdTag'> & {
  ownerUserId?: string | null | undefined;
  expiresAt?: string | null | undefined;
  parentIdTag?: string | null | undefined;
};

export interface Session {
  id: string;
  transactionId: number;
  stationId: string;
  stationName: string;
  communeInsee: string | null;
  communeName: string | null;
  connectorId: number;
  memberId: string;
  idTag: string;
  authStatus: string;
  meterStart: number;
  meterStop: number | null;
  startedAt: string;
  stoppedAt: string | null;
  stopReason: string | null;
  energyKwh: number | null;
  durationMinutes: number | null;
  cost: number | null;
  active: boolean;
}

export interface SessionFilter extends PageRequest {
  q?: string | undefined;
  stationId?: string | undefined;
  communeInsee?: string | undefined;
  idTag?: string | undefined;
  active?: boolean | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface Command {
  id: string;
  stationId: string;
  action: string;
  payload: unknown;
  status: CommandStatus;
  response: unknown;
  error: string | null;
  requestedBy: string;
  requestedAt: string;
  answeredAt: string | null;
}

const DEFAULT_POINTS: ChargePointInput[] = [
  { connectorId: 1, maxPowerKw: 22, sockets: ['T2', 'EF'] },
  { connectorId: 2, maxPowerKw: 22, sockets: ['T2', 'EF'] },
];
const DEFAULT_TARIFF: Tariff = { perKwh: 0.3, perMinute: 0, fixedFee: 0 };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Cost of a session from the station's tariff: fixed fee, energy and time. */
export function sessionCost(tariff: Tariff, energyWh: number, minutes: number): number {
  return round2(tariff.fixedFee + (energyWh / 1000) * tariff.perKwh + minutes * tariff.perMinute);
}

type StationRow = Selectable<ChargingStationsTable> & { commune_name: string | null };

/**
 * The charging stations' registry, their badges, sessions and command log. The OCPP central system
 * (central-system.ts) calls the station-facing methods; the routes call the rest.
 */
export class ChargingService {
  /** Set by the central system: is a station connected right now? */
  isOnline: (stationId: string) => boolean = () => false;

  constructor(
    readonly db: Db,
    readonly bus: EventBus,
    readonly territory: TerritoryService,
    readonly config: ChargingConfig,
  ) {}

  // Stations

  private stationQuery() {
    return this.db.selectFrom('charging_stations as s').leftJoin('communes as c', 'c.insee', 's.commune_insee').selectAll('s').select('c.name as commune_name');
  }

  private async toStations(rows: StationRow[]): Promise<Station[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [points, open] = await Promise.all([
      this.db.selectFrom('charging_points').selectAll().where('station_id', 'in', ids).orderBy('connector_id').execute(),
      this.db.selectFrom('charging_sessions').select(['station_id', 'connector_id']).where('station_id', 'in', ids).where('stopped_at', 'is', null).execute(),
    ]);
    const busy = new Set(open.map((o) => `${o.station_id}/${o.connector_id}`));
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      idStationItinerance: r.id_station_itinerance,
      name: r.name,
      registration: r.registration,
      siteId: r.site_id,
      communeInsee: r.commune_insee,
      communeName: r.commune_name,
      memberId: r.member_id,
      longitude: r.longitude,
      latitude: r.latitude,
      address: r.address,
      openingHours: r.opening_hours,
      implantation: r.implantation,
      accessCondition: r.access_condition,
      pmr: r.pmr,
      heightRestriction: r.height_restriction,
      commissioningDate: r.commissioning_date,
      gridConnection: r.grid_connection,
      pdl: r.pdl,
      ocppIdentity: r.ocpp_identity,
      tariff: { perKwh: Number(r.tariff_kwh), perMinute: Number(r.tariff_minute), fixedFee: Number(r.tariff_fixed) },
      vendor: r.vendor,
      model: r.model,
      serialNumber: r.serial_number,
      firmwareVersion: r.firmware_version,
      firmwareStatus: r.firmware_status,
      diagnosticsStatus: r.diagnostics_status,
      configuration: r.configuration,
      configurationAt: iso(r.configuration_at),
      lastBootAt: iso(r.last_boot_at),
      lastSeenAt: iso(r.last_seen_at),
      online: this.isOnline(r.id),
      chargePoints: points
        .filter((p) => p.station_id === r.id)
        .map((p) => ({
          connectorId: p.connector_id,
          idPdcItinerance: p.id_pdc_itinerance,
          maxPowerKw: p.max_power_kw,
          sockets: p.sockets,
          status: p.status,
          errorCode: p.error_code,
          statusAt: iso(p.status_at),
          occupied: busy.has(`${r.id}/${p.connector_id}`),
        })),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async listStations(scope: Scope, filter: PageRequest & { q?: string | undefined; communeInsee?: string | undefined; registration?: Registration | undefined }) {
    let query = this.stationQuery();
    if (scope !== 'all') query = query.where('s.member_id', 'in', scope.length ? scope : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("s.name || ' ' || s.code || ' ' || s.ocpp_identity || ' ' || s.id_station_itinerance || ' ' || coalesce(c.name, '')"))}`, 'like', searchPattern(filter.q));
    if (filter.communeInsee) query = query.where('s.commune_insee', '=', filter.communeInsee);
    if (filter.registration) query = query.where('s.registration', '=', filter.registration);
    const sort = parseSort(filter.sort, 'name');
    const column = { name: 's.name', code: 's.code', commune: 'c.name', lastSeenAt: 's.last_seen_at', createdAt: 's.created_at' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('s.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: await this.toStations(rows), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async getStation(id: string): Promise<Station> {
    const row = await this.stationQuery().where('s.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Borne');
    return (await this.toStations([row]))[0]!;
  }

  async findStationByIdentity(identity: string) {
    return this.db.selectFrom('charging_stations').select(['id', 'member_id', 'password_hash', 'registration']).where('ocpp_identity', '=', identity).executeTakeFirst();
  }

  /** A station code of the commune not taken yet: INSEE code and a 2-digit number. */
  private async nextCode(insee: string): Promise<string> {
    const taken = new Set((await this.db.selectFrom('charging_stations').select('code').where('code', 'like', `${insee}%`).execute()).map((r) => r.code));
    for (let n = 1; n < 100; n += 1) {
      const code = `${insee}${String(n).padStart(2, '0')}`;
      if (!taken.has(code)) return code;
    }
    throw conflict(`La commune ${insee} a déjà 99 bornes.`);
  }

  /** AFIREV ids: prefix + P + station code for the station, prefix + E + station code + connector for a charge point. */
  stationRoamingId(code: string) {
    return `${this.config.operatorPrefix}P${code}`;
  }

  pointRoamingId(code: string, connectorId: number) {
    return `${this.config.operatorPrefix}E${code}${connectorId}`;
  }

  private checkPoints(points: ChargePointInput[], details: FieldError[]) {
    const seen = new Set<number>();
    points.forEach((p, i) => {
      if (seen.has(p.connectorId)) details.push({ field: `/body/chargePoints/${i}/connectorId`, message: `connecteur ${p.connectorId} en double` });
      seen.add(p.connectorId);
      if (!p.sockets.length) details.push({ field: `/body/chargePoints/${i}/sockets`, message: 'au moins une prise' });
    });
  }

  async createStation(actor: AuditActor, input: StationInput): Promise<Station> {
    const details: FieldError[] = [];
    const site = await this.territory.getSite(input.siteId).catch(() => undefined);
    if (!site) details.push({ field: '/body/siteId', message: `site inconnu : ${input.siteId}` });
    const problem = stationPasswordProblem(input.password);
    if (problem) details.push({ field: '/body/password', message: problem });
    const points = input.chargePoints ?? DEFAULT_POINTS;
    this.checkPoints(points, details);
    if (details.length || !site) throw validationFailed(details);
    if (await this.findStationByIdentity(input.ocppIdentity)) {
      throw conflict(`L’identité OCPP ${input.ocppIdentity} est déjà celle d’une borne.`, [{ field: '/body/ocppIdentity', message: 'déjà utilisée' }]);
    }
    const id = randomUUID();
    const code = await this.nextCode(site.communeInsee);
    const tariff = input.tariff ?? DEFAULT_TARIFF;
    const passwordHash = await hashStationPassword(input.password);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('charging_stations')
        .values({
          id,
          code,
          id_station_itinerance: this.stationRoamingId(code),
          name: input.name.trim(),
          registration: 'accepted',
          site_id: site.id,
          commune_insee: site.communeInsee,
          member_id: site.memberId,
          longitude: input.longitude ?? site.longitude,
          latitude: input.latitude ?? site.latitude,
          address: input.address ?? site.address,
          opening_hours: input.openingHours ?? '24/7',
          implantation: input.implantation ?? 'Parking public',
          access_condition: input.accessCondition ?? 'Accès libre',
          pmr: input.pmr ?? 'Accessible mais non réservé PMR',
          height_restriction: input.heightRestriction ?? 'Inconnu',
          commissioning_date: input.commissioningDate ?? null,
          grid_connection: input.gridConnection ?? null,
          pdl: input.pdl ?? null,
          ocpp_identity: input.ocppIdentity,
          password_hash: passwordHash,
          tariff_kwh: tariff.perKwh,
          tariff_minute: tariff.perMinute,
          tariff_fixed: tariff.fixedFee,
        })
        .execute();
      await trx
        .insertInto('charging_points')
        .values(points.map((p) => ({ station_id: id, connector_id: p.connectorId, id_pdc_itinerance: this.pointRoamingId(code, p.connectorId), max_power_kw: p.maxPowerKw, sockets: p.sockets })))
        .execute();
      await appendAudit(trx, {
        actor,
        action: 'charging.station.create',
        entityType: 'charging_station',
        entityId: id,
        memberId: site.memberId,
        summary: { after: { name: input.name, code, ocppIdentity: input.ocppIdentity, siteId: site.id, chargePoints: points.length } },
      });
    });
    const station = await this.getStation(id);
    await this.publishStation(station, 'created');
    return station;
  }

  async updateStation(actor: AuditActor, id: string, changes: StationChanges): Promise<Station> {
    const before = await this.getStation(id);
    const details: FieldError[] = [];
    const site = changes.siteId ? await this.territory.getSite(changes.siteId).catch(() => undefined) : undefined;
    if (changes.siteId && !site) details.push({ field: '/body/siteId', message: `site inconnu : ${changes.siteId}` });
    const problem = changes.password !== undefined ? stationPasswordProblem(changes.password) : null;
    if (problem) details.push({ field: '/body/password', message: problem });
    if (details.length) throw validationFailed(details);
    if (!site && !before.siteId) throw validationFailed([{ field: '/body/siteId', message: 'choisissez le site de cette borne enregistrée automatiquement' }]);
    const passwordHash = changes.password !== undefined ? await hashStationPassword(changes.password) : undefined;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('charging_stations')
        .set({
          ...(changes.name !== undefined && { name: changes.name.trim() }),
          ...(site && { site_id: site.id, commune_insee: site.communeInsee, member_id: site.memberId, registration: 'accepted' as const }),
          ...(site && !before.siteId && { longitude: site.longitude, latitude: site.latitude, address: site.address }),
          ...(changes.address !== undefined && { address: changes.address }),
          ...(changes.longitude !== undefined && { longitude: changes.longitude }),
          ...(changes.latitude !== undefined && { latitude: changes.latitude }),
          ...(changes.openingHours !== undefined && { opening_hours: changes.openingHours }),
          ...(changes.implantation !== undefined && { implantation: changes.implantation }),
          ...(changes.accessCondition !== undefined && { access_condition: changes.accessCondition }),
          ...(changes.pmr !== undefined && { pmr: changes.pmr }),
          ...(changes.heightRestriction !== undefined && { height_restriction: changes.heightRestriction }),
          ...(changes.commissioningDate !== undefined && { commissioning_date: changes.commissioningDate }),
          ...(changes.gridConnection !== undefined && { grid_connection: changes.gridConnection }),
          ...(changes.pdl !== undefined && { pdl: changes.pdl }),
          ...(changes.tariff && { tariff_kwh: changes.tariff.perKwh, tariff_minute: changes.tariff.perMinute, tariff_fixed: changes.tariff.fixedFee }),
          ...(passwordHash && { password_hash: passwordHash }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
      const { password: _secret, ...visible } = changes;
      await appendAudit(trx, {
        actor,
        action: 'charging.station.update',
        entityType: 'charging_station',
        entityId: id,
        memberId: site?.memberId ?? before.memberId,
        summary: { after: { ...visible, ...(passwordHash && { password: 'changé' }) } },
      });
    });
    const station = await this.getStation(id);
    await this.publishStation(station, 'updated');
    return station;
  }

  async deleteStation(actor: AuditActor, id: string): Promise<void> {
    const station = await this.getStation(id);
    const sessions = await this.db.selectFrom('charging_sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('station_id', '=', id).executeTakeFirstOrThrow();
    if (Number(sessions.n) > 0) throw conflict('Cette borne a des sessions de recharge : elle ne peut pas être supprimée.');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('charging_stations').where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'charging.station.delete', entityType: 'charging_station', entityId: id, memberId: station.memberId, summary: { before: { name: station.name, code: station.code } } });
    });
    await this.bus.publish({ topic: 'charging.charging_station.deleted', memberId: station.memberId, data: { id } });
  }

  async publishStation(station: Station | string, verb: string): Promise<void> {
    const s = typeof station === 'string' ? await this.getStation(station) : station;
    await this.bus.publish({ topic: `charging.charging_station.${verb}`, memberId: s.memberId, data: s });
  }

  /** A station that connected under auto-registration with an unknown identity: kept pending, with the password it presented. */
  async registerPending(identity: string, password: Buffer | undefined): Promise<string> {
    const id = randomUUID();
    const code = `X${randomBytes(4).toString('hex').toUpperCase()}`;
    const passwordHash = await hashStationPassword(password ? password.toString('utf8') : randomBytes(24).toString('base64url'));
    await this.db
      .insertInto('charging_stations')
      .values({
        id,
        code,
        id_station_itinerance: this.stationRoamingId(code),
        name: identity,
        registration: 'pending',
        site_id: null,
        commune_insee: null,
        member_id: SMO_MEMBER_ID,
        longitude: null,
        latitude: null,
        address: '',
        opening_hours: '24/7',
        implantation: 'Parking public',
        access_condition: 'Accès libre',
        pmr: 'Accessibilité inconnue',
        height_restriction: 'Inconnu',
        commissioning_date: null,
        grid_connection: null,
        pdl: null,
        ocpp_identity: identity,
        password_hash: passwordHash,
        tariff_kwh: DEFAULT_TARIFF.perKwh,
        tariff_minute: DEFAULT_TARIFF.perMinute,
        tariff_fixed: DEFAULT_TARIFF.fixedFee,
      })
      .onConflict((oc) => oc.column('ocpp_identity').doNothing())
      .execute();
    const row = await this.findStationByIdentity(identity);
    return row!.id;
  }

  // Badges

  private toBadge(r: Selectable<ChargingBadgesTable>): Badge {
    return {
      idTag: r.id_tag,
      label: r.label,
      status: r.status,
      ownerMemberId: r.owner_member_id,
      ownerUserId: r.owner_user_id,
      expiresAt: iso(r.expires_at),
      parentIdTag: r.parent_id_tag,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async listBadges(scope: Scope, filter: PageRequest & { q?: string | undefined; status?: BadgeStatus | undefined; ownerMemberId?: string | undefined }) {
    let query = this.db.selectFrom('charging_badges').selectAll();
    if (scope !== 'all') query = query.where('owner_member_id', 'in', scope.length ? scope : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("id_tag || ' ' || label"))}`, 'like', searchPattern(filter.q));
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.ownerMemberId) query = query.where('owner_member_id', '=', filter.ownerMemberId);
    const sort = parseSort(filter.sort, 'idTag');
    const column = { idTag: 'id_tag', label: 'label', status: 'status', expiresAt: 'expires_at' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('id_tag').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.toBadge(r)), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async getBadge(idTag: string): Promise<Badge> {
    const row = await this.db.selectFrom('charging_badges').selectAll().where('id_tag', '=', idTag).executeTakeFirst();
    if (!row) throw notFound('Badge');
    return this.toBadge(row);
  }

  private async checkBadge(input: Partial<BadgeInput>, details: FieldError[]) {
    if (input.ownerMemberId && !(await this.territory.directory.get(input.ownerMemberId))) details.push({ field: '/body/ownerMemberId', message: `membre inconnu : ${input.ownerMemberId}` });
    if (input.parentIdTag && input.parentIdTag === input.idTag) details.push({ field: '/body/parentIdTag', message: 'un badge ne peut pas être son propre parent' });
  }

  async createBadge(actor: AuditActor, input: BadgeInput): Promise<Badge> {
    const details: FieldError[] = [];
    await this.checkBadge(input, details);
    if (details.length) throw validationFailed(details);
    if (await this.db.selectFrom('charging_badges').select('id_tag').where('id_tag', '=', input.idTag).executeTakeFirst()) {
      throw conflict(`Le badge ${input.idTag} existe déjà.`, [{ field: '/body/idTag', message: 'déjà enregistré' }]);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('charging_badges')
        .values({
          id_tag: input.idTag,
          label: input.label,
          status: input.status,
          owner_member_id: input.ownerMemberId,
          owner_user_id: input.ownerUserId ?? null,
          expires_at: input.expiresAt ? new Date(input.expiresAt) : null,
          parent_id_tag: input.parentIdTag ?? null,
        })
        .execute();
      await appendAudit(trx, { actor, action: 'charging.badge.create', entityType: 'charging_badge', entityId: input.idTag, memberId: input.ownerMemberId, summary: { after: input } });
    });
    return this.getBadge(input.idTag);
  }

  async updateBadge(actor: AuditActor, idTag: string, changes: Partial<Omit<BadgeInput, 'idTag'>>): Promise<Badge> {
    const before = await this.getBadge(idTag);
    const details: FieldError[] = [];
    await this.checkBadge({ ...changes, idTag }, details);
    if (details.length) throw validationFailed(details);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('charging_badges')
        .set({
          ...(changes.label !== undefined && { label: changes.label }),
          ...(changes.status !== undefined && { status: changes.status }),
          ...(changes.ownerMemberId !== undefined && { owner_member_id: changes.ownerMemberId }),
          ...(changes.ownerUserId !== undefined && { owner_user_id: changes.ownerUserId }),
          ...(changes.expiresAt !== undefined && { expires_at: changes.expiresAt ? new Date(changes.expiresAt) : null }),
          ...(changes.parentIdTag !== undefined && { parent_id_tag: changes.parentIdTag }),
          updated_at: new Date(),
        })
        .where('id_tag', '=', idTag)
        .execute();
      await appendAudit(trx, { actor, action: 'charging.badge.update', entityType: 'charging_badge', entityId: idTag, memberId: changes.ownerMemberId ?? before.ownerMemberId, summary: { before: { status: before.status }, after: changes } });
    });
    return this.getBadge(idTag);
  }

  /** OCPP IdTagInfo for a badge: unknown tags are Invalid, a passed expiry date makes it Expired. */
  async idTagInfo(idTag: string, at = new Date()): Promise<{ status: BadgeStatus; expiryDate?: string; parentIdTag?: string }> {
    const badge = await this.db.selectFrom('charging_badges').selectAll().where('id_tag', '=', idTag).executeTakeFirst();
    if (!badge) return { status: 'Invalid' };
    const expired = badge.expires_at !== null && badge.expires_at.getTime() <= at.getTime();
    return {
      status: badge.status === 'Accepted' && expired ? 'Expired' : badge.status,
      ...(badge.expires_at && { expiryDate: badge.expires_at.toISOString() }),
      ...(badge.parent_id_tag && { parentIdTag: badge.parent_id_tag }),
    };
  }

  // Sessions

  private sessionQuery() {
    return this.db
      .selectFrom('charging_sessions as x')
      .innerJoin('charging_stations as s', 's.id', 'x.station_id')
      .leftJoin('communes as c', 'c.insee', 's.commune_insee')
      .selectAll('x')
      .select(['s.name as station_name', 's.commune_insee', 'c.name as commune_name']);
  }

  private toSession(r: Selectable<ChargingSessionsTable> & { station_name: string; commune_insee: string | null; commune_name: string | null }): Session {
    const minutes = r.stopped_at ? Math.round((r.stopped_at.getTime() - r.started_at.getTime()) / 60_000) : null;
    return {
      id: r.id,
      transactionId: r.transaction_id,
      stationId: r.station_id,
      stationName: r.station_name,
      communeInsee: r.commune_insee,
      communeName: r.commune_name,
      connectorId: r.connector_id,
      memberId: r.member_id,
      idTag: r.id_tag,
      authStatus: r.auth_status,
      meterStart: Number(r.meter_start),
      meterStop: r.meter_stop === null ? null : Number(r.meter_stop),
      startedAt: r.started_at.toISOString(),
      stoppedAt: iso(r.stopped_at),
      stopReason: r.stop_reason,
      energyKwh: r.energy_wh === null ? null : Number(r.energy_wh) / 1000,
      durationMinutes: minutes,
      cost: r.cost === null ? null : Number(r.cost),
      active: r.stopped_at === null,
    };
  }

  private filteredSessions(scope: Scope, filter: Omit<SessionFilter, keyof PageRequest>) {
    let query = this.sessionQuery();
    if (scope !== 'all') query = query.where('x.member_id', 'in', scope.length ? scope : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("x.id_tag || ' ' || s.name || ' ' || coalesce(c.name, '')"))}`, 'like', searchPattern(filter.q));
    if (filter.stationId) query = query.where('x.station_id', '=', filter.stationId);
    if (filter.communeInsee) query = query.where('s.commune_insee', '=', filter.communeInsee);
    if (filter.idTag) query = query.where('x.id_tag', '=', filter.idTag);
    if (filter.active !== undefined) query = query.where('x.stopped_at', filter.active ? 'is' : 'is not', null);
    if (filter.from) query = query.where('x.started_at', '>=', new Date(filter.from));
    if (filter.to) query = query.where('x.started_at', '<', new Date(`${filter.to}T23:59:59.999Z`));
    return query;
  }

  async listSessions(scope: Scope, filter: SessionFilter) {
    const query = this.filteredSessions(scope, filter);
    const sort = parseSort(filter.sort ?? '-startedAt', 'startedAt');
    const column = { startedAt: 'x.started_at', energy: 'x.energy_wh', cost: 'x.cost', station: 's.name' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('x.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.toSession(r)), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  /** Every session matching the filter, oldest first, for the CSV export. */
  async allSessions(scope: Scope, filter: Omit<SessionFilter, keyof PageRequest>): Promise<Session[]> {
    const rows = await this.filteredSessions(scope, filter).orderBy('x.started_at').orderBy('x.id').execute();
    return rows.map((r) => this.toSession(r));
  }

  async getSession(id: string): Promise<Session> {
    const row = await this.sessionQuery().where('x.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Session');
    return this.toSession(row);
  }

  async sessionMeterValues(transactionId: number) {
    const rows = await this.db.selectFrom('charging_meter_values').selectAll().where('transaction_id', '=', transactionId).orderBy('at').execute();
    return rows.map((r) => ({ at: r.at.toISOString(), measurand: r.measurand, phase: r.phase, unit: r.unit, context: r.context, value: r.value }));
  }

  // Commands

  async listCommands(stationId: string, page: PageRequest) {
    const query = this.db.selectFrom('charging_commands').selectAll().where('station_id', '=', stationId);
    const [rows, count] = await Promise.all([
      query.orderBy('requested_at', 'desc').orderBy('id').limit(page.pageSize).offset(offsetOf(page)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(
        (r): Command => ({
          id: r.id,
          stationId: r.station_id,
          action: r.action,
          payload: r.payload,
          status: r.status,
          response: r.response,
          error: r.error,
          requestedBy: r.requested_by,
          requestedAt: r.requested_at.toISOString(),
          answeredAt: iso(r.answered_at),
        }),
      ),
      total: Number(count.n),
      page: page.page,
      pageSize: page.pageSize,
    };
  }

  async stationEvents(stationId: string, limit = 100) {
    const rows = await this.db.selectFrom('charging_station_events').selectAll().where('station_id', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ kind: r.kind, detail: r.detail, at: r.at.toISOString() }));
  }
}
