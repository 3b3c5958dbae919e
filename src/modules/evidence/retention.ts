/**
 * The retention job: segments older than their site's retention (the prefectoral authorisation's, at most the
 * law's 30 days) are deleted unless a hold protects them. The register gets one entry per camera and run,
 * with the time range and the number of segments deleted.
 */
import fs from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.service.js';
import { MAX_RETENTION_DAYS } from './evidence.tables.js';
import type { RecordingsService } from './recordings.js';
import { registerSummary } from './register.js';

export interface RetentionReport {
  deleted: number;
  bytes: number;
  /** Expired segments kept because a requisition holds them. */
  keptByHold: number;
  cameras: number;
  /** Files that could not be removed (kept in the index as deleted; the next run does not retry them). */
  errors: Array<{ location: string; error: string }>;
}

const BATCH = 5000;

export class RetentionJob {
  constructor(
    private readonly db: Db,
    private readonly recordings: RecordingsService,
  ) {}

  private expired(now: Date) {
    return this.db
      .selectFrom('evidence_segments as g')
      .innerJoin('security_devices as d', 'd.id', 'g.camera_id')
      .leftJoin('evidence_authorisations as a', 'a.site_id', 'g.site_id')
      .where('g.deleted_at', 'is', null)
      .where(sql<boolean>`g.ends_at < ${now}::timestamptz - make_interval(days => coalesce(a.retention_days, ${MAX_RETENTION_DAYS}))`);
  }

  async run(now = new Date()): Promise<RetentionReport> {
    const report: RetentionReport = { deleted: 0, bytes: 0, keptByHold: 0, cameras: 0, errors: [] };
    const held = sql<boolean>`exists (select 1 from evidence_holds h where h.segment_id = g.id and h.released_at is null)`;
    const kept = await this.expired(now).where(held).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    report.keptByHold = Number(kept.n);
    const cameras = new Set<string>();
    for (;;) {
      const batch = await this.expired(now)
        .where(sql<boolean>`not ${held}`)
        .select(['g.id', 'g.camera_id', 'g.member_id', 'g.location', 'g.size_bytes', 'g.starts_at', 'g.ends_at', 'd.code', 'a.retention_days', 'a.reference'])
        .orderBy('g.camera_id')
        .orderBy('g.starts_at')
        .limit(BATCH)
        .execute();
      if (!batch.length) break;
      const byCamera = new Map<string, typeof batch>();
      for (const r of batch) {
        const rows = byCamera.get(r.camera_id);
        if (rows) rows.push(r);
        else byCamera.set(r.camera_id, [r]);
      }
      for (const rows of byCamera.values()) {
        const first = rows[0]!;
        const bytes = rows.reduce((sum, r) => sum + Number(r.size_bytes), 0);
        // The index says "deleted" before the files go: a crash in between leaves files that the register
        // already calls deleted, never a deletion the register does not know.
        await this.db.transaction().execute(async (trx) => {
          await trx.updateTable('evidence_segments').set({ deleted_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
          await appendAudit(trx, {
            actor: SYSTEM_ACTOR,
            action: 'evidence.recording.delete',
            entityType: 'security_device',
            entityId: first.camera_id,
            memberId: first.member_id,
            summary: registerSummary({
              reason: first.retention_days
                ? `Durée de conservation expirée (${first.retention_days} jours, autorisation préfectorale ${first.reference})`
                : `Durée de conservation légale maximale expirée (${MAX_RETENTION_DAYS} jours ; le site n’a pas d’autorisation enregistrée)`,
              cameras: [{ id: first.camera_id, code: first.code }],
              from: first.starts_at.toISOString(),
              to: rows.at(-1)!.ends_at.toISOString(),
              segments: rows.length,
              bytes,
            }),
          });
        });
        for (const r of rows) {
          const file = this.recordings.resolve(r.location);
          if (!file) continue;
          await fs.promises.unlink(file).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') report.errors.push({ location: r.location, error: error.message });
          });
        }
        cameras.add(first.camera_id);
        report.deleted += rows.length;
        report.bytes += bytes;
      }
    }
    report.cameras = cameras.size;
    return report;
  }
}
