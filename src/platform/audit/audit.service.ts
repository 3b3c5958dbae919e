import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import stringify from 'safe-stable-stringify';
import type { Db, Tables } from '../db/database.js';

export interface AuditLogTable {
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  member_id: string | null;
  summary: unknown;
  prev_hash: string;
  hash: string;
}

declare module '../db/database.js' {
  interface Tables {
    audit_log: AuditLogTable;
  }
}

export interface AuditActor {
  id: string | null;
  label: string;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, label: 'system' };

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb, e.g. "site.create", "auth.login_failed". */
  action: string;
  entityType: string;
  entityId?: string | null;
  memberId?: string | null;
  /** What changed: usually { before, after } with only the fields that matter. */
  summary?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

type Executor = Kysely<Tables> | Transaction<Tables>;

type HashedFields = Omit<AuditLogTable, 'hash'>;

export function hashRecord(r: HashedFields): string {
  // Stable key order: jsonb does not keep the order in which keys were written.
  const canonical = stringify([
    r.seq,
    r.at.toISOString(),
    r.actor_id,
    r.actor_label,
    r.action,
    r.entity_type,
    r.entity_id,
    r.member_id,
    r.summary,
    r.prev_hash,
  ]);
  return createHash('sha256').update(canonical ?? '').digest('hex');
}

/**
 * Appends one record to the chain. Call it inside the transaction of the write it describes, so that
 * the write and its record land together or not at all.
 */
export async function appendAudit(trx: Executor, entry: AuditEntry): Promise<void> {
  // Serialises appends so that each record sees the true previous hash, on every PostgreSQL connection.
  await sql`select pg_advisory_xact_lock(72657301)`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const fields: HashedFields = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId ?? null,
    member_id: entry.memberId ?? null,
    // Round-trip through JSON so that what is hashed is exactly what jsonb will give back.
    summary: JSON.parse(JSON.stringify(entry.summary ?? {})),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  await trx
    .insertInto('audit_log')
    .values({ ...fields, summary: JSON.stringify(fields.summary), hash: hashRecord(fields) })
    .execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** The first record that does not fit the chain, and why. */
  firstBad?: { seq: number; reason: string };
}

/** Walks the whole chain in order, in pages, and reports the first record altered, inserted or deleted out of band. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return { ok: false, checked, firstBad: { seq: row.seq, reason: `records ${expectedSeq}..${row.seq - 1} are missing (deleted)` } };
      }
      if (row.prev_hash !== prevHash) {
        return { ok: false, checked, firstBad: { seq: row.seq, reason: 'previous-hash link broken (a record was inserted or deleted before it)' } };
      }
      if (hashRecord(row) !== row.hash) {
        return { ok: false, checked, firstBad: { seq: row.seq, reason: 'content does not match its hash (altered)' } };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < pageSize) return { ok: true, checked };
  }
}
