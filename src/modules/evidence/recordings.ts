/**
 * The recordings index: segments stay where the video system wrote them under RECORDINGS_DIR; Mutualis keeps
 * their camera, time range, size and SHA-256 (computed once, streaming, when the segment is indexed).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { conflict, notFound, validationFailed } from '../../platform/http/errors.js';
import { offsetOf, parseSort, type PageRequest } from '../../platform/http/pagination.js';
import type { CameraRef, DevicesService, SiteScope } from '../security/index.js';
import { hashFile } from './package-format.js';
import { mp4DurationSeconds } from './mp4-duration.js';
import { registerSummary } from './register.js';

export interface Segment {
  id: string;
  cameraId: string;
  cameraCode: string;
  cameraName: string;
  siteId: string;
  siteName: string;
  memberId: string;
  from: string;
  to: string;
  location: string;
  sizeBytes: number;
  sha256: string;
  source: 'api' | 'scan';
  registeredAt: string;
  deletedAt: string | null;
  /** Requisitions holding the segment. */
  heldBy: string[];
}

export interface SegmentInput {
  /** The camera's code, or its Frigate name. */
  camera: string;
  from: string;
  /** Without it, the duration is read from the MP4 header. */
  to?: string | undefined;
  /** Path of the file relative to RECORDINGS_DIR. */
  location: string;
  /** When given, checked against the file's own hash. */
  sha256?: string | undefined;
}

export interface ScanReport {
  indexed: number;
  alreadyIndexed: number;
  rejected: Array<{ path: string; reason: string }>;
}

/** What a recordings folder's path says: Frigate's layout or the documented generic one. */
export interface ParsedPath {
  layout: 'frigate' | 'generic';
  camera: string;
  from: Date;
}

const FRIGATE = /^(\d{4}-\d{2}-\d{2})\/(\d{2})\/([^/]+)\/(\d{2})\.(\d{2})\.mp4$/;
const GENERIC = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\/(\d{2})-(\d{2})-(\d{2})\.mp4$/;

/**
 * Frigate: `YYYY-MM-DD/HH/<camera>/MM.SS.mp4`; generic: `<camera code>/YYYY-MM-DD/HH-MM-SS.mp4`. Both in UTC.
 */
export function parseRecordingPath(relative: string): ParsedPath | null {
  const frigate = FRIGATE.exec(relative);
  const at = (day: string, h: string, m: string, s: string) => {
    const date = new Date(`${day}T${h}:${m}:${s}Z`);
    return Number.isNaN(date.getTime()) ? null : date;
  };
  if (frigate) {
    const [, day, hour, camera, minute, second] = frigate as unknown as string[];
    const from = at(day!, hour!, minute!, second!);
    return from && { layout: 'frigate', camera: camera!, from };
  }
  const generic = GENERIC.exec(relative);
  if (generic) {
    const [, camera, day, hour, minute, second] = generic as unknown as string[];
    const from = at(day!, hour!, minute!, second!);
    return from && { layout: 'generic', camera: camera!, from };
  }
  return null;
}

type SegmentRow = Awaited<ReturnType<ReturnType<RecordingsService['query']>['executeTakeFirstOrThrow']>>;

const TICKET_SECONDS = 300;

export class RecordingsService {
  /** Signs viewing tickets; a restart invalidates the open ones, which only asks viewers for a new reason. */
  private readonly ticketKey = randomBytes(32);

  constructor(
    private readonly db: Db,
    private readonly devices: DevicesService,
    readonly dir: string,
  ) {}

  query() {
    return this.db
      .selectFrom('evidence_segments as g')
      .innerJoin('security_devices as d', 'd.id', 'g.camera_id')
      .innerJoin('sites as s', 's.id', 'g.site_id')
      .selectAll('g')
      .select(['d.code as camera_code', 'd.name as camera_name', 's.name as site_name'])
      .select((eb) =>
        eb.fn
          .coalesce(
            eb
              .selectFrom('evidence_holds as h')
              .innerJoin('evidence_requisitions as r', 'r.id', 'h.requisition_id')
              .select(sql<string[]>`array_agg(r.number order by r.number)`.as('numbers'))
              .whereRef('h.segment_id', '=', 'g.id')
              .where('h.released_at', 'is', null),
            sql<string[]>`'{}'::text[]`,
          )
          .as('held_by'),
      );
  }

  private toSegment(r: SegmentRow): Segment {
    return {
      id: r.id,
      cameraId: r.camera_id,
      cameraCode: r.camera_code,
      cameraName: r.camera_name,
      siteId: r.site_id,
      siteName: r.site_name,
      memberId: r.member_id,
      from: r.starts_at.toISOString(),
      to: r.ends_at.toISOString(),
      location: r.location,
      sizeBytes: Number(r.size_bytes),
      sha256: r.sha256,
      source: r.source,
      registeredAt: r.registered_at.toISOString(),
      deletedAt: r.deleted_at?.toISOString() ?? null,
      heldBy: r.held_by,
    };
  }

  async list(scope: SiteScope, filter: PageRequest & { cameraId?: string | undefined; siteId?: string | undefined; from?: string | undefined; to?: string | undefined; held?: boolean | undefined; deleted?: boolean | undefined; requisitionId?: string | undefined }) {
    let q = this.query();
    if ('siteIds' in scope) q = q.where('g.site_id', 'in', scope.siteIds.length ? scope.siteIds : ['00000000-0000-0000-0000-000000000000']);
    if ('memberIds' in scope) q = q.where('g.member_id', 'in', scope.memberIds.length ? scope.memberIds : ['']);
    if (filter.cameraId) q = q.where('g.camera_id', '=', filter.cameraId);
    if (filter.siteId) q = q.where('g.site_id', '=', filter.siteId);
    if (filter.from) q = q.where('g.ends_at', '>', new Date(filter.from));
    if (filter.to) q = q.where('g.starts_at', '<', new Date(filter.to));
    q = filter.deleted ? q.where('g.deleted_at', 'is not', null) : q.where('g.deleted_at', 'is', null);
    if (filter.requisitionId) {
      q = q.where(sql<boolean>`exists (select 1 from evidence_holds h where h.segment_id = g.id and h.requisition_id = ${filter.requisitionId} and h.released_at is null)`);
    }
    if (filter.held !== undefined) {
      const held = sql<boolean>`exists (select 1 from evidence_holds h where h.segment_id = g.id and h.released_at is null)`;
      q = q.where(filter.held ? held : sql<boolean>`not ${held}`);
    }
    const sort = parseSort(filter.sort, 'from');
    const column = { from: 'g.starts_at', camera: 'd.code', size: 'g.size_bytes' } as const;
    const [rows, count] = await Promise.all([
      q.orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('g.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.toSegment(r)), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async get(id: string): Promise<Segment> {
    const row = await this.query().where('g.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Enregistrement');
    return this.toSegment(row);
  }

  /** The absolute path of a location, refusing any that would leave RECORDINGS_DIR. */
  resolve(location: string): string | null {
    const normalised = path.posix.normalize(location.replaceAll('\\', '/'));
    if (normalised.startsWith('../') || normalised === '..' || path.posix.isAbsolute(normalised)) return null;
    return path.join(this.dir, normalised);
  }

  /** Registration by the video system through the API. */
  async register(input: SegmentInput): Promise<Segment> {
    const cameras = await this.devices.cameras();
    const camera = cameras.find((c) => c.code === input.camera || c.frigateCamera === input.camera);
    const details = [];
    if (!camera) details.push({ field: '/body/camera', message: `caméra inconnue : ${input.camera}` });
    const file = this.resolve(input.location);
    const location = path.posix.normalize(input.location.replaceAll('\\', '/'));
    if (!file) details.push({ field: '/body/location', message: 'chemin hors du dossier des enregistrements (RECORDINGS_DIR)' });
    else if (!fs.existsSync(file)) details.push({ field: '/body/location', message: `fichier introuvable dans RECORDINGS_DIR : ${location}` });
    if (details.length || !camera || !file) throw validationFailed(details);
    const from = new Date(input.from);
    const to = input.to ? new Date(input.to) : await this.endOf(file, from);
    if (!to || to <= from) throw validationFailed([{ field: '/body/to', message: to ? 'la fin doit suivre le début' : 'durée illisible dans le fichier MP4 : donnez la fin (to)' }]);
    const { sha256, size } = await hashFile(file);
    if (input.sha256 && input.sha256.toLowerCase() !== sha256) throw validationFailed([{ field: '/body/sha256', message: `ne correspond pas au fichier (SHA-256 calculé : ${sha256})` }]);
    const existing = await this.db.selectFrom('evidence_segments').select(['id', 'sha256']).where('location', '=', location).executeTakeFirst();
    if (existing) {
      if (existing.sha256 === sha256) return this.get(existing.id);
      throw conflict(`Ce fichier est déjà indexé avec un autre contenu (SHA-256 ${existing.sha256}) : un enregistrement ne se remplace pas.`);
    }
    const id = await this.insert(camera, { from, to, location, size, sha256, source: 'api' });
    if (!id) throw conflict(`La caméra ${camera.code} a déjà un enregistrement commençant le ${from.toISOString()}.`);
    return this.get(id);
  }

  private async endOf(file: string, from: Date): Promise<Date | null> {
    const seconds = await mp4DurationSeconds(file).catch(() => null);
    return seconds && seconds > 0 ? new Date(from.getTime() + Math.round(seconds * 1000)) : null;
  }

  /** Inserts a segment and, in the same transaction, holds it for every open requisition that covers it. */
  private async insert(camera: CameraRef, s: { from: Date; to: Date; location: string; size: number; sha256: string; source: 'api' | 'scan' }): Promise<string | null> {
    const id = randomUUID();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('evidence_segments')
        .values({ id, camera_id: camera.id, site_id: camera.siteId, member_id: camera.memberId, starts_at: s.from, ends_at: s.to, location: s.location, size_bytes: s.size, sha256: s.sha256, source: s.source, deleted_at: null })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return null;
      await sql`
        insert into evidence_holds (requisition_id, segment_id)
        select r.id, ${id}::uuid from evidence_requisitions r
        where r.status <> 'closed' and ${camera.id}::uuid = any(r.camera_ids) and r.starts_at < ${s.to} and r.ends_at > ${s.from}`.execute(trx);
      return id;
    });
  }

  /**
   * Indexes the files of RECORDINGS_DIR not yet in the index. Files younger than `settleMs` may still be
   * written and wait for the next scan. With `sinceDay` (YYYY-MM-DD), only the day folders from that day on
   * are read: a month of 10-second segments of many cameras is millions of files, and the periodic scan
   * only needs the recent ones.
   */
  async scan(settleMs = 10_000, now = Date.now(), sinceDay?: string): Promise<ScanReport> {
    const report: ScanReport = { indexed: 0, alreadyIndexed: 0, rejected: [] };
    if (!fs.existsSync(this.dir)) return report;
    const files = (await this.recordingFiles(sinceDay)).sort();
    const cameras = await this.devices.cameras();
    const byFrigate = new Map(cameras.filter((c) => c.frigateCamera).map((c) => [c.frigateCamera!, c]));
    const byCode = new Map(cameras.map((c) => [c.code, c]));
    for (let i = 0; i < files.length; i += 1000) {
      const batch = files.slice(i, i + 1000);
      const known = new Set((await this.db.selectFrom('evidence_segments').select('location').where('location', 'in', batch).execute()).map((r) => r.location));
      for (const relative of batch) {
        if (known.has(relative)) {
          report.alreadyIndexed++;
          continue;
        }
        const parsed = parseRecordingPath(relative);
        if (!parsed) {
          report.rejected.push({ path: relative, reason: 'chemin hors des dispositions Frigate (AAAA-MM-JJ/HH/caméra/MM.SS.mp4) et générique (caméra/AAAA-MM-JJ/HH-MM-SS.mp4)' });
          continue;
        }
        const camera = parsed.layout === 'frigate' ? byFrigate.get(parsed.camera) : byCode.get(parsed.camera);
        if (!camera) {
          report.rejected.push({ path: relative, reason: `caméra inconnue : ${parsed.camera}` });
          continue;
        }
        const file = path.join(this.dir, relative);
        const stat = await fs.promises.stat(file);
        if (settleMs > 0 && now - stat.mtimeMs < settleMs) continue;
        const to = await this.endOf(file, parsed.from);
        if (!to) {
          report.rejected.push({ path: relative, reason: 'durée illisible dans le fichier MP4 (fichier incomplet ?)' });
          continue;
        }
        const { sha256, size } = await hashFile(file);
        const id = await this.insert(camera, { from: parsed.from, to, location: relative, size, sha256, source: 'scan' });
        if (id) report.indexed++;
        else report.rejected.push({ path: relative, reason: `la caméra ${camera.code} a déjà un enregistrement commençant le ${parsed.from.toISOString()}` });
      }
    }
    return report;
  }

  /** The .mp4 files below RECORDINGS_DIR, relative, with day folders before `sinceDay` left unread. */
  private async recordingFiles(sinceDay?: string): Promise<string[]> {
    const day = /^\d{4}-\d{2}-\d{2}$/;
    const walk = async (relative: string): Promise<string[]> => {
      const entries = await fs.promises.readdir(path.join(this.dir, relative), { withFileTypes: true }).catch(() => []);
      const found: string[] = [];
      for (const entry of entries) {
        const child = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          // A day folder is the first level in Frigate's layout and the second in the generic one.
          if (sinceDay && day.test(entry.name) && entry.name < sinceDay) continue;
          found.push(...(await walk(child)));
        } else if (entry.isFile() && entry.name.endsWith('.mp4')) found.push(child);
      }
      return found;
    };
    return walk('');
  }

  /** Viewing a recording needs a reason; the register keeps it, and the answer is a short-lived ticket to the clip. */
  async view(actor: AuditActor, id: string, reason: string): Promise<{ url: string; expiresAt: string }> {
    const segment = await this.get(id);
    if (segment.deletedAt) throw conflict('Cet enregistrement a été supprimé à l’expiration de sa durée de conservation.');
    await this.db.transaction().execute((trx) =>
      appendAudit(trx, {
        actor,
        action: 'evidence.recording.view',
        entityType: 'evidence_segment',
        entityId: id,
        memberId: segment.memberId,
        summary: registerSummary({ reason, cameras: [{ id: segment.cameraId, code: segment.cameraCode }], from: segment.from, to: segment.to, siteName: segment.siteName }),
      }),
    );
    const expires = Math.floor(Date.now() / 1000) + TICKET_SECONDS;
    return { url: `/api/evidence/segments/${id}/clip?ticket=${this.ticket(id, actor.id ?? '', expires)}`, expiresAt: new Date(expires * 1000).toISOString() };
  }

  private ticket(id: string, userId: string, expires: number): string {
    const mac = createHmac('sha256', this.ticketKey).update(`${id}.${userId}.${expires}`).digest('base64url');
    return `${expires}.${mac}`;
  }

  /** The file behind a ticket given by `view` to the same user, or null when the ticket is invalid or expired. */
  async clipFile(id: string, userId: string, ticket: string): Promise<string | null> {
    const [expires, mac] = ticket.split('.');
    if (!expires || !mac || Number(expires) < Date.now() / 1000) return null;
    const expected = Buffer.from(this.ticket(id, userId, Number(expires)));
    const given = Buffer.from(ticket);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const segment = await this.get(id);
    return segment.deletedAt ? null : this.resolve(segment.location);
  }
}
