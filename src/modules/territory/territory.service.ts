import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { conflict, notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { foldedSql, foldText, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import type { MemberDirectory, MemberSummary } from '../../platform/auth/accounts.service.js';
import { loadCommuneCatalogue, type CommuneCatalogue } from './commune-catalogue.js';
export type { Commune } from './commune-catalogue.js';
import { DEPARTEMENTS } from './reference-data.js';
import { uaiProblem } from './uai.js';
import { SITE_KINDS, type AdhesionStatus, type MemberKind, type MembersTable, type SiteKind, type SitesTable } from './territory.tables.js';

/** 'all' or the member ids whose data a user may see (from the platform's policy). */
export type Scope = 'all' | string[];

export interface Member {
  id: string;
  kind: MemberKind;
  name: string;
  code: string;
  epciType: string | null;
  departement: string | null;
  adhesionStatus: AdhesionStatus;
  adhesionDate: string | null;
}


export interface Site {
  id: string;
  kind: SiteKind;
  name: string;
  uai: string | null;
  address: string;
  longitude: number;
  latitude: number;
  communeInsee: string;
  communeName: string;
  memberId: string;
  memberName: string;
  notes: string;
  createdAt: string;
  updatedAt: string;
}

export interface SiteInput {
  kind: SiteKind;
  name: string;
  uai?: string | null | undefined;
  address: string;
  longitude: number;
  latitude: number;
  communeInsee?: string | undefined;
  memberId: string;
  notes?: string | undefined;
}

const toMember = (m: Selectable<MembersTable>): Member => ({
  id: m.id,
  kind: m.kind,
  name: m.name,
  code: m.code,
  epciType: m.epci_type,
  departement: m.departement,
  adhesionStatus: m.adhesion_status,
  adhesionDate: m.adhesion_date,
});

export class TerritoryService {
  private communes?: Promise<CommuneCatalogue> | undefined;
  private readonly trees = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {
    bus.subscribe('territory.member.updated', () => {
      this.communes = undefined;
    });
  }

  /** What the platform's accounts need of the member tree. The tree is reference data: cached for the process. */
  readonly directory: MemberDirectory = {
    get: async (memberId: string): Promise<MemberSummary | undefined> =>
      this.db.selectFrom('members').select(['id', 'name', 'kind']).where('id', '=', memberId).executeTakeFirst(),
    tree: (memberId: string) => {
      let tree = this.trees.get(memberId);
      if (!tree) {
        tree = this.loadTree(memberId);
        this.trees.set(memberId, tree);
        tree.catch(() => this.trees.delete(memberId));
      }
      return tree;
    },
  };

  private async loadTree(memberId: string): Promise<ReadonlySet<string>> {
    const rows = await sql<{ id: string }>`
      with recursive tree(id) as (
        select ${memberId}::text
        union
        select l.child_id from member_links l join tree t on l.parent_id = t.id
      ) select id from tree`.execute(this.db);
    return new Set(rows.rows.map((r) => r.id));
  }

  // Members

  async listMembers(filter: PageRequest & { q?: string | undefined; kind?: MemberKind | undefined; departement?: string | undefined; adhesionStatus?: AdhesionStatus | undefined; parentId?: string | undefined }) {
    let query = this.db.selectFrom('members');
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("name || ' ' || code"))}`, 'like', searchPattern(filter.q));
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.departement) query = query.where('departement', '=', filter.departement);
    if (filter.adhesionStatus) query = query.where('adhesion_status', '=', filter.adhesionStatus);
    if (filter.parentId) {
      const parentId = filter.parentId;
      query = query.where('id', 'in', (eb) => eb.selectFrom('member_links').select('child_id').where('parent_id', '=', parentId));
    }
    const sort = parseSort(filter.sort, 'name');
    const column = { name: 'name', kind: 'kind', code: 'code', adhesionDate: 'adhesion_date' } as const;
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toMember), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async getMember(id: string): Promise<Member & { parents: { id: string; name: string }[]; childCount: number }> {
    const member = await this.db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
    if (!member) throw notFound('Membre');
    const [parents, children] = await Promise.all([
      this.db.selectFrom('member_links').innerJoin('members', 'members.id', 'member_links.parent_id').select(['members.id', 'members.name']).where('child_id', '=', id).orderBy('members.name').execute(),
      this.db.selectFrom('member_links').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', id).executeTakeFirstOrThrow(),
    ]);
    return { ...toMember(member), parents, childCount: Number(children.n) };
  }

  async updateAdhesion(actor: AuditActor, id: string, status: AdhesionStatus, date: string | null): Promise<Member> {
    if (status === 'adherent' && !date) throw validationFailed([{ field: '/body/adhesionDate', message: "date d'adhésion obligatoire pour un membre adhérent" }]);
    const updated = await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('members').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('Membre');
      const after = await trx
        .updateTable('members')
        .set({ adhesion_status: status, adhesion_date: date, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, {
        actor,
        action: 'member.adhesion_update',
        entityType: 'member',
        entityId: id,
        memberId: id,
        summary: { before: { status: before.adhesion_status, date: before.adhesion_date }, after: { status, date } },
      });
      return after;
    });
    await this.bus.publish({ topic: 'territory.member.updated', memberId: id, data: toMember(updated) });
    return toMember(updated);
  }

  // Communes: reference data read on every map and search, so served from memory; an adhesion change
  // (on this node or another, through the bus) reloads it.

  private catalogue(): Promise<CommuneCatalogue> {
    this.communes ??= loadCommuneCatalogue(this.db);
    this.communes.catch(() => (this.communes = undefined));
    return this.communes;
  }

  /** The same catalogue for modules that check many places at once (fibre imports locate every building). */
  communeCatalogue(): Promise<CommuneCatalogue> {
    return this.catalogue();
  }

  async listCommunes(filter: PageRequest & { q?: string | undefined; departement?: string | undefined; epci?: string | undefined; adhesionStatus?: AdhesionStatus | undefined }) {
    const catalogue = await this.catalogue();
    const sort = parseSort<'name' | 'insee' | 'population'>(filter.sort, 'name');
    const q = filter.q?.trim();
    const needle = q && !/^\d{5}$/.test(q) ? foldText(q) : undefined;
    const matches = catalogue.orders[sort.field].filter(
      (c) =>
        (!q || (needle ? c.folded.includes(needle) : c.commune.insee === q || c.commune.postalCodes.includes(q))) &&
        (!filter.departement || c.commune.departement === filter.departement) &&
        (!filter.epci || c.commune.epci?.siren === filter.epci || c.commune.ept?.siren === filter.epci) &&
        (!filter.adhesionStatus || c.commune.adhesionStatus === filter.adhesionStatus),
    );
    if (sort.direction === 'desc') matches.reverse();
    const items = matches.slice(offsetOf(filter), offsetOf(filter) + filter.pageSize).map((c) => c.commune);
    return { items, total: matches.length, page: filter.page, pageSize: filter.pageSize };
  }

  async getCommune(insee: string, siteScope: Scope | 'none') {
    const entry = (await this.catalogue()).byInsee.get(insee);
    if (!entry) throw notFound(`Commune ${insee}`);
    let sitesCount = 0;
    if (siteScope !== 'none') {
      let q = this.db.selectFrom('sites').select((eb) => eb.fn.countAll<number>().as('n')).where('commune_insee', '=', insee);
      if (siteScope !== 'all') q = q.where('member_id', 'in', siteScope.length ? siteScope : ['']);
      sitesCount = Number((await q.executeTakeFirstOrThrow()).n);
    }
    return { ...entry.commune, geometry: entry.geometry, sitesCount };
  }

  async communesGeoJson(departement?: string) {
    const { communes } = await this.catalogue();
    return {
      type: 'FeatureCollection' as const,
      features: communes
        .filter((c) => !departement || c.commune.departement === departement)
        .map((c) => ({
          type: 'Feature' as const,
          properties: { insee: c.commune.insee, name: c.commune.name, departement: c.commune.departement, population: c.commune.population, adhesionStatus: c.commune.adhesionStatus },
          geometry: c.geometry,
        })),
    };
  }

  /** The dashboard's key figures in one call: communes, adherent members, and visible sites by kind. */
  async figures(siteScope: Scope | 'none', memberId?: string) {
    const { communes } = await this.catalogue();
    const members = await this.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('adhesion_status', '=', 'adherent')
      .executeTakeFirstOrThrow();
    let sitesByKind: Record<SiteKind, number> | null = null;
    if (siteScope !== 'none') {
      let query = this.db.selectFrom('sites').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('kind');
      if (siteScope !== 'all') query = query.where('member_id', 'in', siteScope.length ? siteScope : ['']);
      if (memberId) query = query.where('member_id', '=', memberId);
      const rows = await query.execute();
      sitesByKind = Object.fromEntries(SITE_KINDS.map((kind) => [kind, Number(rows.find((r) => r.kind === kind)?.n ?? 0)])) as Record<SiteKind, number>;
    }
    return {
      communes: communes.length,
      adherentCommunes: communes.filter((c) => c.commune.adhesionStatus === 'adherent').length,
      adherentMembers: Number(members.n),
      sitesByKind,
    };
  }

  // Sites

  private siteQuery() {
    return this.db
      .selectFrom('sites as s')
      .innerJoin('communes as c', 'c.insee', 's.commune_insee')
      .innerJoin('members as m', 'm.id', 's.member_id')
      .selectAll('s')
      .select(['c.name as commune_name', 'm.name as member_name']);
  }

  private toSite(r: Selectable<SitesTable> & { commune_name: string; member_name: string }): Site {
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      uai: r.uai,
      address: r.address,
      longitude: r.longitude,
      latitude: r.latitude,
      communeInsee: r.commune_insee,
      communeName: r.commune_name,
      memberId: r.member_id,
      memberName: r.member_name,
      notes: r.notes,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async listSites(
    scope: Scope,
    filter: PageRequest & { q?: string | undefined; kind?: SiteKind | undefined; communeInsee?: string | undefined; memberId?: string | undefined; departement?: string | undefined },
  ) {
    let query = this.siteQuery();
    if (scope !== 'all') query = query.where('s.member_id', 'in', scope.length ? scope : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("s.name || ' ' || s.address || ' ' || coalesce(s.uai, '') || ' ' || c.name"))}`, 'like', searchPattern(filter.q));
    if (filter.kind) query = query.where('s.kind', '=', filter.kind);
    if (filter.communeInsee) query = query.where('s.commune_insee', '=', filter.communeInsee);
    if (filter.memberId) query = query.where('s.member_id', '=', filter.memberId);
    if (filter.departement) query = query.where('c.departement', '=', filter.departement);
    const sort = parseSort(filter.sort, 'name');
    const column = { name: 's.name', kind: 's.kind', commune: 'c.name', createdAt: 's.created_at', updatedAt: 's.updated_at' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('s.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.toSite(r)), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async getSite(id: string): Promise<Site> {
    const row = await this.siteQuery().where('s.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Site');
    return this.toSite(row);
  }

  /** Checks a site's fields against the territory; returns the commune that contains its point. */
  private async checkSite(input: SiteInput, selfId: string | null): Promise<string> {
    const details: FieldError[] = [];
    if (input.kind === 'school' && !input.uai) details.push({ field: '/body/uai', message: 'code UAI obligatoire pour une école' });
    if (input.kind !== 'school' && input.uai) details.push({ field: '/body/uai', message: 'un code UAI ne concerne que les écoles' });
    if (input.uai) {
      const problem = uaiProblem(input.uai, DEPARTEMENTS);
      if (problem) details.push({ field: '/body/uai', message: problem });
    }
    const insee = (await this.catalogue()).locator.locate(input.longitude, input.latitude);
    if (!insee) {
      details.push({ field: '/body/longitude', message: 'ce point est hors du territoire (Yvelines et Hauts-de-Seine)' });
    } else if (input.communeInsee && input.communeInsee !== insee) {
      details.push({ field: '/body/communeInsee', message: `ce point est dans la commune ${insee}, pas dans ${input.communeInsee}` });
    }
    const member = await this.db.selectFrom('members').select('id').where('id', '=', input.memberId).executeTakeFirst();
    if (!member) details.push({ field: '/body/memberId', message: `membre inconnu : ${input.memberId}` });
    if (details.length) throw validationFailed(details);

    const clash = await this.db
      .selectFrom('sites')
      .select(['id', 'name', 'uai'])
      .where((eb) =>
        eb.or([
          eb.and([eb('member_id', '=', input.memberId), eb(sql<string>`lower(name)`, '=', input.name.trim().toLowerCase())]),
          ...(input.uai ? [eb('uai', '=', input.uai)] : []),
        ]),
      )
      .where('id', '!=', selfId ?? '00000000-0000-0000-0000-000000000000')
      .executeTakeFirst();
    if (clash) {
      const sameUai = input.uai && clash.uai === input.uai;
      throw conflict(
        sameUai ? `Le code UAI ${input.uai} est déjà celui du site « ${clash.name} ».` : `Ce membre a déjà un site nommé « ${clash.name} ».`,
        [{ field: sameUai ? '/body/uai' : '/body/name', message: 'déjà utilisé' }],
      );
    }
    return insee!;
  }

  async createSite(actor: AuditActor, input: SiteInput): Promise<Site> {
    const insee = await this.checkSite(input, null);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('sites')
        .values({
          id,
          kind: input.kind,
          name: input.name.trim(),
          uai: input.uai ?? null,
          address: input.address.trim(),
          longitude: input.longitude,
          latitude: input.latitude,
          commune_insee: insee,
          member_id: input.memberId,
          notes: input.notes ?? '',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, { actor, action: 'site.create', entityType: 'site', entityId: id, memberId: input.memberId, summary: { after: siteSummary(row) } });
    });
    const site = await this.getSite(id);
    await this.bus.publish({ topic: 'territory.site.created', memberId: site.memberId, data: site });
    return site;
  }

  async updateSite(actor: AuditActor, id: string, changes: Partial<SiteInput>): Promise<Site> {
    const current = await this.getSite(id);
    const merged: SiteInput = {
      kind: changes.kind ?? current.kind,
      name: changes.name ?? current.name,
      uai: changes.uai !== undefined ? changes.uai : current.uai,
      address: changes.address ?? current.address,
      longitude: changes.longitude ?? current.longitude,
      latitude: changes.latitude ?? current.latitude,
      communeInsee: changes.communeInsee,
      memberId: changes.memberId ?? current.memberId,
      notes: changes.notes ?? current.notes,
    };
    const insee = await this.checkSite(merged, id);
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('sites').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw notFound('Site');
      const after = await trx
        .updateTable('sites')
        .set({
          kind: merged.kind,
          name: merged.name.trim(),
          uai: merged.uai ?? null,
          address: merged.address.trim(),
          longitude: merged.longitude,
          latitude: merged.latitude,
          commune_insee: insee,
          member_id: merged.memberId,
          notes: merged.notes ?? '',
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, {
        actor,
        action: 'site.update',
        entityType: 'site',
        entityId: id,
        memberId: after.member_id,
        summary: changedFields(siteSummary(before), siteSummary(after)),
      });
    });
    const site = await this.getSite(id);
    await this.bus.publish({ topic: 'territory.site.updated', memberId: site.memberId, data: site });
    return site;
  }

  async deleteSite(actor: AuditActor, id: string): Promise<void> {
    const site = await this.getSite(id);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('sites').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw notFound('Site');
      await appendAudit(trx, { actor, action: 'site.delete', entityType: 'site', entityId: id, memberId: row.member_id, summary: { before: siteSummary(row) } });
    });
    await this.bus.publish({ topic: 'territory.site.deleted', memberId: site.memberId, data: { id, name: site.name } });
  }
}

function siteSummary(s: Selectable<SitesTable>): Record<string, unknown> {
  return { kind: s.kind, name: s.name, uai: s.uai, address: s.address, longitude: s.longitude, latitude: s.latitude, communeInsee: s.commune_insee, memberId: s.member_id, notes: s.notes };
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
