import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Database, Db } from '../../platform/db/database.js';
import { withImportTransaction } from '../../platform/db/import-transaction.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { notFound, validationFailed } from '../../platform/http/errors.js';
import { offsetOf, parseSort, type PageRequest } from '../../platform/http/pagination.js';
import type { CommuneCatalogue, TerritoryService } from '../territory/index.js';
import { FileRefused } from './building-file.js';
import { readBuildingFile, type Reject, type ReadResult } from './building-reader.js';
import { copySink, insertSink } from './building-sinks.js';
import { PlaceChecker } from './coordinates.js';
import { STATES, type FibreImportsTable, type ImportStatus, type StateCode } from './fibre.tables.js';

/** The SMO's FTTH programme: households to make connectable in its designated rural communes. */
export const PROGRAMME_TARGET_HOUSEHOLDS = 100_000;
export const DEFAULT_MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

export interface FibreImport {
  id: string;
  operator: string;
  snapshotDate: string;
  status: ImportStatus;
  format: string | null;
  fileName: string;
  contentHash: string | null;
  encoding: string | null;
  refusal: string | null;
  lines: number;
  accepted: number;
  rejected: number;
  dwellings: number;
  importedAt: string;
  importedBy: string;
}

/**
 * accepted: a new snapshot; unchanged: the same file was already this operator's snapshot for that date;
 * refused: nothing imported. `rejects` holds the first rejected lines (all of them through listRejects).
 */
export type ImportOutcome = { import: FibreImport; rejects: Reject[] } & ({ outcome: 'accepted' } | { outcome: 'unchanged' } | { outcome: 'refused' });

export interface ImportInput {
  operator: string;
  date: string;
  fileName: string;
  source: AsyncIterable<Buffer | string>;
  maxBytes?: number;
}

export type StateFigures = Record<StateCode, { buildings: number; dwellings: number }>;

export interface CommuneProgress {
  insee: string;
  name: string;
  departement: string;
  population: number | null;
  designated: boolean;
  buildings: number;
  /** Dwellings of the buildings not abandoned. */
  dwellings: number;
  connectableDwellings: number;
  /** Connectable dwellings over dwellings, null without dwellings. */
  shareConnectable: number | null;
  byState: StateFigures;
  /** Since the snapshot date before the latest one; null when there is none. */
  change: { connectableDwellings: number; shareConnectable: number | null } | null;
}

const toImport = (r: Selectable<FibreImportsTable>): FibreImport => ({
  id: r.id,
  operator: r.operator_code,
  snapshotDate: r.snapshot_date,
  status: r.status,
  format: r.format,
  fileName: r.file_name,
  contentHash: r.content_hash,
  encoding: r.encoding,
  refusal: r.refusal,
  lines: r.lines,
  accepted: r.accepted,
  rejected: r.rejected,
  dwellings: r.dwellings,
  importedAt: r.imported_at.toISOString(),
  importedBy: r.imported_by,
});

const emptyFigures = (): StateFigures => Object.fromEntries(STATES.map((s) => [s, { buildings: 0, dwellings: 0 }])) as StateFigures;

/** Thrown inside the import transaction to roll it back when the file is already the snapshot. */
class Unchanged extends Error {
  constructor(readonly importId: string) {
    super('unchanged');
  }
}

const OPERATOR_CODE = /^[A-Z0-9][A-Z0-9_-]{1,31}$/;

function checkImportInput(input: ImportInput): void {
  const details = [];
  if (!OPERATOR_CODE.test(input.operator)) details.push({ field: '/query/operator', message: 'code opérateur : 2 à 32 caractères, majuscules, chiffres, « - » ou « _ »' });
  const date = /^\d{4}-\d{2}-\d{2}$/.test(input.date) ? new Date(`${input.date}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input.date) {
    details.push({ field: '/query/date', message: 'date attendue au format AAAA-MM-JJ' });
  } else if (input.date > new Date().toISOString().slice(0, 10)) {
    details.push({ field: '/query/date', message: 'la date du fichier ne peut pas être dans le futur' });
  }
  if (details.length) throw validationFailed(details);
}

export class FibreService {
  private readonly db: Db;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly territory: TerritoryService,
  ) {
    this.db = database.db;
  }

  // Imports

  /**
   * Imports one operator's building file as its snapshot for a date, in one transaction: a refused file or
   * a failure leaves the previous snapshots as they were; the same file again changes nothing.
   */
  async importFile(actor: AuditActor, input: ImportInput): Promise<ImportOutcome> {
    checkImportInput(input);
    const places = new PlaceChecker(await this.territory.communeCatalogue());
    const id = randomUUID();
    let read: ReadResult | undefined;
    try {
      await withImportTransaction(this.database, async (trx, client) => {
        // Two files for the same operator and date are imported one after the other.
        await sql`select pg_advisory_xact_lock(hashtext(${`fibre:${input.operator}:${input.date}`}))`.execute(trx);
        await trx.insertInto('fibre_operators').values({ code: input.operator, name: input.operator }).onConflict((oc) => oc.column('code').doNothing()).execute();
        // Written first so that rejects can point at it; its final status is set below, in the same transaction.
        await trx
          .insertInto('fibre_imports')
          .values({ id, operator_code: input.operator, snapshot_date: input.date, status: 'refused', format: null, file_name: input.fileName, content_hash: null, encoding: null, refusal: null, lines: 0, accepted: 0, rejected: 0, dwellings: 0, imported_by: actor.label })
          .execute();
        read = await readBuildingFile(input.source, places, client ? copySink(client, trx, id) : insertSink(trx, id), { maxBytes: input.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES });
        const previous = await trx
          .selectFrom('fibre_imports')
          .select(['id', 'content_hash'])
          .where('operator_code', '=', input.operator)
          .where('snapshot_date', '=', input.date)
          .where('status', '=', 'accepted')
          .executeTakeFirst();
        if (previous?.content_hash === read.facts.sha256) throw new Unchanged(previous.id);
        if (previous) {
          await trx.updateTable('fibre_imports').set({ status: 'superseded' }).where('id', '=', previous.id).execute();
          await trx.deleteFrom('fibre_buildings').where('import_id', '=', previous.id).execute();
        }
        await trx
          .updateTable('fibre_imports')
          .set({
            status: 'accepted',
            format: read.layout.format,
            content_hash: read.facts.sha256,
            encoding: read.facts.encoding,
            lines: read.lines,
            accepted: read.accepted,
            rejected: read.rejected,
            dwellings: read.dwellings,
          })
          .where('id', '=', id)
          .execute();
        const stats = [...read.byCommune].flatMap(([insee, counts]) =>
          STATES.filter((s) => counts[s].buildings > 0).map((state) => ({ import_id: id, insee, state, buildings: counts[state].buildings, dwellings: counts[state].dwellings })),
        );
        for (let i = 0; i < stats.length; i += 500) await trx.insertInto('fibre_commune_stats').values(stats.slice(i, i + 500)).execute();
        await appendAudit(trx, {
          actor,
          action: 'fibre.import',
          entityType: 'fibre_import',
          entityId: id,
          summary: {
            after: { operator: input.operator, date: input.date, file: input.fileName, sha256: read.facts.sha256, format: read.layout.format, lines: read.lines, accepted: read.accepted, rejected: read.rejected, dwellings: read.dwellings },
            ...(previous && { supersedes: previous.id }),
          },
        });
      });
    } catch (error) {
      if (error instanceof Unchanged) return { outcome: 'unchanged', import: await this.getImport(error.importId), rejects: await this.firstRejects(error.importId) };
      if (error instanceof FileRefused) return this.recordRefusal(actor, id, input, error.reason);
      throw error;
    }
    const done = await this.getImport(id);
    await this.bus.publish({ topic: 'fibre.import.completed', memberId: null, data: done });
    return { outcome: 'accepted', import: done, rejects: read!.firstRejects };
  }

  private async recordRefusal(actor: AuditActor, id: string, input: ImportInput, reason: string): Promise<ImportOutcome> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('fibre_operators').values({ code: input.operator, name: input.operator }).onConflict((oc) => oc.column('code').doNothing()).execute();
      await trx
        .insertInto('fibre_imports')
        .values({ id, operator_code: input.operator, snapshot_date: input.date, status: 'refused', format: null, file_name: input.fileName, content_hash: null, encoding: null, refusal: reason, lines: 0, accepted: 0, rejected: 0, dwellings: 0, imported_by: actor.label })
        .execute();
      await appendAudit(trx, { actor, action: 'fibre.import_refused', entityType: 'fibre_import', entityId: id, summary: { after: { operator: input.operator, date: input.date, file: input.fileName, refusal: reason } } });
    });
    const refused = await this.getImport(id);
    await this.bus.publish({ topic: 'fibre.import.refused', memberId: null, data: refused });
    return { outcome: 'refused', import: refused, rejects: [] };
  }

  async listImports(filter: PageRequest & { operator?: string | undefined; status?: ImportStatus | undefined }) {
    let query = this.db.selectFrom('fibre_imports');
    if (filter.operator) query = query.where('operator_code', '=', filter.operator);
    if (filter.status) query = query.where('status', '=', filter.status);
    const sort = parseSort(filter.sort, 'importedAt');
    const column = { importedAt: 'imported_at', snapshotDate: 'snapshot_date', operator: 'operator_code' } as const;
    // Newest first unless asked otherwise: an import history is read from the top.
    const direction = filter.sort ? sort.direction : 'desc';
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy(column[sort.field as keyof typeof column], direction).orderBy('id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toImport), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async getImport(id: string): Promise<FibreImport> {
    const row = await this.db.selectFrom('fibre_imports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Import');
    return toImport(row);
  }

  private async firstRejects(id: string): Promise<Reject[]> {
    return (await this.listRejects(id, { page: 1, pageSize: 100 })).items;
  }

  async listRejects(id: string, page: PageRequest) {
    await this.getImport(id);
    const query = this.db.selectFrom('fibre_import_rejects').where('import_id', '=', id);
    const [rows, count] = await Promise.all([
      query.select(['line', 'building_id', 'reason']).orderBy('line').limit(page.pageSize).offset(offsetOf(page)).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => ({ line: r.line, buildingId: r.building_id, reason: r.reason })), total: Number(count.n), page: page.page, pageSize: page.pageSize };
  }

  async listOperators() {
    const rows = await this.db
      .selectFrom('fibre_operators as o')
      .leftJoin('fibre_imports as i', (j) => j.onRef('i.operator_code', '=', 'o.code').on('i.status', '=', 'accepted'))
      .select(['o.code', 'o.name', (eb) => eb.fn.max('i.snapshot_date').as('latest'), (eb) => eb.fn.count<number>('i.id').as('snapshots')])
      .groupBy(['o.code', 'o.name'])
      .orderBy('o.code')
      .execute();
    return rows.map((r) => ({ code: r.code, name: r.name, latestSnapshot: r.latest ?? null, snapshots: Number(r.snapshots) }));
  }

  // Progress

  /** Dates of the accepted snapshots, ascending, up to `until`. */
  private async snapshotDates(until?: string): Promise<string[]> {
    let q = this.db.selectFrom('fibre_imports').select('snapshot_date').distinct().where('status', '=', 'accepted');
    if (until) q = q.where('snapshot_date', '<=', until);
    return (await q.orderBy('snapshot_date').execute()).map((r) => r.snapshot_date);
  }

  /**
   * Figures per commune and state as of each date: for every operator its latest snapshot on or before the
   * date, summed over operators (each operator delivers its own buildings).
   */
  private async figuresAt(dates: string[], insee?: string) {
    if (!dates.length) return [];
    const rows = await sql<{ d: string; insee: string; state: StateCode; buildings: number; dwellings: number }>`
      with dates(d) as (select unnest(${dates}::date[])),
      latest as (
        select dates.d, i.id from dates cross join lateral (
          select distinct on (operator_code) id from fibre_imports
          where status = 'accepted' and snapshot_date <= dates.d
          order by operator_code, snapshot_date desc) i)
      select to_char(latest.d, 'YYYY-MM-DD') as d, s.insee, s.state, sum(s.buildings)::int as buildings, sum(s.dwellings)::int as dwellings
      from latest join fibre_commune_stats s on s.import_id = latest.id
      ${insee ? sql`where s.insee = ${insee}` : sql``}
      group by latest.d, s.insee, s.state`.execute(this.db);
    return rows.rows;
  }

  /** Every commune with fibre data or in the programme, as of `date` (default: the latest snapshot). */
  async communeProgress(date?: string): Promise<{ date: string | null; previousDate: string | null; communes: CommuneProgress[] }> {
    const dates = await this.snapshotDates(date);
    const current = dates.at(-1) ?? null;
    const previous = dates.at(-2) ?? null;
    const [catalogue, designated, figures] = await Promise.all([
      this.territory.communeCatalogue(),
      this.designatedCommunes(),
      this.figuresAt([current, previous].filter((d): d is string => d !== null)),
    ]);
    const now = new Map<string, StateFigures>();
    const before = new Map<string, StateFigures>();
    for (const r of figures) {
      const target = r.d === current ? now : before;
      let f = target.get(r.insee);
      if (!f) target.set(r.insee, (f = emptyFigures()));
      f[r.state] = { buildings: r.buildings, dwellings: r.dwellings };
    }
    const communes = [...new Set([...designated, ...now.keys()])]
      .sort()
      .map((insee) => progressOf(catalogue, insee, designated.has(insee), now.get(insee) ?? emptyFigures(), previous ? (before.get(insee) ?? emptyFigures()) : undefined));
    return { date: current, previousDate: previous, communes };
  }

  /** The communes of communeProgress with their shapes, for the map. */
  async communesGeoJson(date?: string) {
    const [catalogue, { communes }] = await Promise.all([this.territory.communeCatalogue(), this.communeProgress(date)]);
    return {
      type: 'FeatureCollection' as const,
      features: communes.map(({ byState: _, change, ...c }) => ({
        type: 'Feature' as const,
        properties: { ...c, changeConnectableDwellings: change?.connectableDwellings ?? null },
        geometry: catalogue.byInsee.get(c.insee)!.geometry,
      })),
    };
  }

  async listCommuneProgress(filter: PageRequest & { date?: string | undefined; departement?: string | undefined; designated?: boolean | undefined; q?: string | undefined }) {
    const { date, previousDate, communes } = await this.communeProgress(filter.date);
    const q = filter.q?.trim().toLowerCase();
    const matches = communes.filter(
      (c) =>
        (!filter.departement || c.departement === filter.departement) &&
        (filter.designated === undefined || c.designated === filter.designated) &&
        (!q || c.insee === q || c.name.toLowerCase().includes(q)),
    );
    const sort = parseSort<'name' | 'insee' | 'shareConnectable' | 'dwellings' | 'connectableDwellings' | 'change'>(filter.sort, 'name');
    const key = (c: CommuneProgress): number | string =>
      sort.field === 'name' ? c.name : sort.field === 'insee' ? c.insee : sort.field === 'change' ? (c.change?.connectableDwellings ?? 0) : (c[sort.field] ?? -1);
    const collator = new Intl.Collator('fr');
    matches.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const order = typeof ka === 'string' ? collator.compare(ka, kb as string) : ka - (kb as number);
      return (sort.direction === 'asc' ? order : -order) || (a.insee < b.insee ? -1 : 1);
    });
    return { date, previousDate, items: matches.slice(offsetOf(filter), offsetOf(filter) + filter.pageSize), total: matches.length, page: filter.page, pageSize: filter.pageSize };
  }

  /** A commune's figures at every snapshot date, with the change from one date to the next. */
  async communeHistory(insee: string) {
    const catalogue = await this.territory.communeCatalogue();
    if (!catalogue.byInsee.has(insee)) throw notFound(`Commune ${insee}`);
    const [dates, designated] = await Promise.all([this.snapshotDates(), this.designatedCommunes()]);
    const figures = await this.figuresAt(dates, insee);
    let last: CommuneProgress | undefined;
    const points = dates.map((date) => {
      const f = emptyFigures();
      for (const r of figures) if (r.d === date) f[r.state] = { buildings: r.buildings, dwellings: r.dwellings };
      const p = progressOf(catalogue, insee, designated.has(insee), f, last ? last.byState : undefined);
      last = p;
      return { date, buildings: p.buildings, dwellings: p.dwellings, connectableDwellings: p.connectableDwellings, shareConnectable: p.shareConnectable, byState: p.byState, change: p.change };
    });
    const entry = catalogue.byInsee.get(insee)!;
    return { insee, name: entry.commune.name, departement: entry.commune.departement, population: entry.commune.population, designated: designated.has(insee), points };
  }

  /** The buildings of a commune in the latest snapshot of each operator, as GeoJSON points. */
  async communeBuildings(insee: string) {
    const catalogue = await this.territory.communeCatalogue();
    if (!catalogue.byInsee.has(insee)) throw notFound(`Commune ${insee}`);
    const rows = await sql<{ building_id: string; state: StateCode; dwellings: number; longitude: number; latitude: number; operator_code: string }>`
      with latest as (
        select distinct on (operator_code) id, operator_code from fibre_imports where status = 'accepted' order by operator_code, snapshot_date desc)
      select b.building_id, b.state, b.dwellings, b.longitude, b.latitude, latest.operator_code
      from latest join fibre_buildings b on b.import_id = latest.id and b.insee = ${insee}
      order by b.building_id`.execute(this.db);
    return {
      type: 'FeatureCollection' as const,
      features: rows.rows.map((r) => ({
        type: 'Feature' as const,
        properties: { id: r.building_id, state: r.state, dwellings: r.dwellings, operator: r.operator_code },
        geometry: { type: 'Point' as const, coordinates: [r.longitude, r.latitude] },
      })),
    };
  }

  // Programme

  private async designatedCommunes(): Promise<Set<string>> {
    return new Set((await this.db.selectFrom('fibre_programme_communes').select('insee').execute()).map((r) => r.insee));
  }

  /**
   * Progress toward the target in the designated communes: connectable dwellings at every snapshot date, the
   * pace over the last twelve months (or since the first snapshot), the date the target would be reached at
   * that pace, and the communes ranked by need (share of dwellings not yet connectable, then population).
   */
  async programme(limit = 20) {
    const [dates, designated, { communes }] = await Promise.all([this.snapshotDates(), this.designatedCommunes(), this.communeProgress()]);
    const figures = (await this.figuresAt(dates)).filter((r) => designated.has(r.insee));
    const timeline = dates.map((date) => {
      const rows = figures.filter((r) => r.d === date);
      const sum = (pred: (s: StateCode) => boolean) => rows.filter((r) => pred(r.state)).reduce((t, r) => t + r.dwellings, 0);
      return { date, connectableDwellings: sum((s) => s === 'DE'), dwellings: sum((s) => s !== 'AB') };
    });
    const last = timeline.at(-1);
    const connectable = last?.connectableDwellings ?? 0;
    const forecast = forecastOf(timeline, PROGRAMME_TARGET_HOUSEHOLDS);
    const ranked = communes
      .filter((c) => c.designated)
      .map((c) => ({ ...c, shareNotConnectable: c.dwellings ? 1 - c.connectableDwellings / c.dwellings : 1 }))
      .sort((a, b) => b.shareNotConnectable - a.shareNotConnectable || (b.population ?? 0) - (a.population ?? 0) || (a.insee < b.insee ? -1 : 1));
    return {
      targetHouseholds: PROGRAMME_TARGET_HOUSEHOLDS,
      designatedCommunes: designated.size,
      date: last?.date ?? null,
      connectableDwellings: connectable,
      dwellings: last?.dwellings ?? 0,
      progress: Math.min(1, connectable / PROGRAMME_TARGET_HOUSEHOLDS),
      ...forecast,
      timeline,
      rankedByNeed: ranked.slice(0, limit).map((c, i) => ({
        rank: i + 1,
        insee: c.insee,
        name: c.name,
        population: c.population,
        dwellings: c.dwellings,
        connectableDwellings: c.connectableDwellings,
        shareNotConnectable: round(c.shareNotConnectable),
      })),
    };
  }
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

function progressOf(catalogue: CommuneCatalogue, insee: string, designated: boolean, f: StateFigures, before: StateFigures | undefined): CommuneProgress {
  const entry = catalogue.byInsee.get(insee)!;
  const totals = (x: StateFigures) => {
    const dwellings = STATES.filter((s) => s !== 'AB').reduce((t, s) => t + x[s].dwellings, 0);
    const connectable = x.DE.dwellings;
    return { dwellings, connectable, share: dwellings ? round(connectable / dwellings) : null };
  };
  const now = totals(f);
  const then = before && totals(before);
  return {
    insee,
    name: entry.commune.name,
    departement: entry.commune.departement,
    population: entry.commune.population,
    designated,
    buildings: STATES.filter((s) => s !== 'AB').reduce((t, s) => t + f[s].buildings, 0),
    dwellings: now.dwellings,
    connectableDwellings: now.connectable,
    shareConnectable: now.share,
    byState: f,
    change: then
      ? { connectableDwellings: now.connectable - then.connectable, shareConnectable: now.share === null || then.share === null ? now.share : round(now.share - then.share) }
      : null,
  };
}

const DAY = 86_400_000;
const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / DAY;

/** Pace over the last 365 days of the timeline (or its whole length when shorter), and where it leads. */
export function forecastOf(timeline: { date: string; connectableDwellings: number }[], target: number) {
  const last = timeline.at(-1);
  if (!last) return { pacePerMonth: null, forecastDate: null, reached: false };
  if (last.connectableDwellings >= target) return { pacePerMonth: null, forecastDate: null, reached: true };
  const from = [...timeline].reverse().find((p) => days(p.date, last.date) >= 365) ?? timeline[0]!;
  const span = days(from.date, last.date);
  if (span <= 0) return { pacePerMonth: null, forecastDate: null, reached: false };
  const perDay = (last.connectableDwellings - from.connectableDwellings) / span;
  const pacePerMonth = Math.round(perDay * 30.44);
  if (perDay <= 0) return { pacePerMonth, forecastDate: null, reached: false };
  const forecastDate = new Date(Date.parse(last.date) + Math.ceil((target - last.connectableDwellings) / perDay) * DAY).toISOString().slice(0, 10);
  return { pacePerMonth, forecastDate, reached: false };
}
