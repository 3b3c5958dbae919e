import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { sql, type Transaction } from 'kysely';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import type { Tables } from '../../platform/db/database.js';
import type { BuildingBatch, BuildingSink, Reject } from './building-reader.js';

type Trx = Transaction<Tables>;

async function insertRejects(trx: Trx, importId: string, rejects: Reject[]): Promise<void> {
  await trx.insertInto('fibre_import_rejects').values(rejects.map((r) => ({ import_id: importId, line: r.line, building_id: r.buildingId, reason: r.reason }))).execute();
}

async function writtenIds(trx: Trx, importId: string, ids: string[]): Promise<Set<string>> {
  const rows = await trx.selectFrom('fibre_buildings').select('building_id').where('import_id', '=', importId).where(sql<boolean>`building_id = any(${ids}::text[])`).execute();
  return new Set(rows.map((r) => r.building_id));
}

/** Batches as one INSERT … SELECT FROM unnest(arrays): a few statements per file, on any driver (PGlite too). */
export function insertSink(trx: Trx, importId: string): BuildingSink {
  return {
    buildings: async (b: BuildingBatch) => {
      await sql`insert into fibre_buildings (import_id, building_id, insee, state, dwellings, longitude, latitude)
                select ${importId}::uuid, * from unnest(${b.ids}::text[], ${b.insee}::text[], ${b.states}::text[], ${b.dwellings}::int[], ${b.longitudes}::float8[], ${b.latitudes}::float8[])`.execute(trx);
    },
    rejects: (rejects) => insertRejects(trx, importId, rejects),
    written: (ids) => writtenIds(trx, importId, ids),
    flush: async () => {},
  };
}

// PostgreSQL's binary COPY format: no number formatting in JavaScript nor parsing in PostgreSQL.
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COPY_HEADER = Buffer.concat([COPY_SIGNATURE, Buffer.alloc(8)]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const COPY_BUFFER = 16 * 1024 * 1024;

function binaryRows(importId: string, b: BuildingBatch): Buffer {
  const uuid = Buffer.from(importId.replaceAll('-', ''), 'hex');
  let size = 0;
  for (const id of b.ids) size += 2 + 20 + 4 + id.length * 3 + 4 + 5 + 4 + 2 + 8 + 12 + 12;
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  const text = (value: string) => {
    const n = buf.write(value, at + 4, 'utf8');
    buf.writeInt32BE(n, at);
    at += 4 + n;
  };
  for (let i = 0; i < b.ids.length; i++) {
    at = buf.writeInt16BE(7, at);
    at = buf.writeInt32BE(16, at);
    at += uuid.copy(buf, at);
    text(b.ids[i]!);
    text(b.insee[i]!);
    text(b.states[i]!);
    at = buf.writeInt32BE(4, at);
    at = buf.writeInt32BE(b.dwellings[i]!, at);
    at = buf.writeInt32BE(8, at);
    at = buf.writeDoubleBE(b.longitudes[i]!, at);
    at = buf.writeInt32BE(8, at);
    at = buf.writeDoubleBE(b.latitudes[i]!, at);
  }
  return buf.subarray(0, at);
}

/**
 * Buildings streamed into COPY FROM STDIN (binary) on the transaction's own connection: PostgreSQL stores
 * rows while JavaScript parses the next ones. A connection in COPY runs nothing else, so the COPY is ended
 * before rejects or lookups go through the transaction, and started again with the next buildings.
 */
export function copySink(client: pg.PoolClient, trx: Trx, importId: string): BuildingSink {
  let stream: ReturnType<typeof pgCopy.from> | undefined;
  let done: Promise<void> | undefined;
  const close = async () => {
    if (!stream) return;
    stream.end(COPY_TRAILER);
    const ending = done!;
    stream = undefined;
    await ending;
  };
  return {
    buildings: async (b: BuildingBatch) => {
      if (!stream) {
        stream = client.query(pgCopy.from('copy fibre_buildings (import_id, building_id, insee, state, dwellings, longitude, latitude) from stdin with (format binary)'));
        done = finished(stream);
        done.catch(() => {});
        stream.write(COPY_HEADER);
      }
      stream.write(binaryRows(importId, b));
      // Up to 16 MB may wait in the stream, so that PostgreSQL always has rows to store while the next are parsed
      // and a pause of its disk does not stop the parsing.
      if (stream.writableLength > COPY_BUFFER) await Promise.race([once(stream, 'drain'), done]);
    },
    rejects: async (rejects) => {
      await close();
      await insertRejects(trx, importId, rejects);
    },
    written: async (ids) => {
      await close();
      return writtenIds(trx, importId, ids);
    },
    flush: close,
  };
}
