import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

/**
 * Every module adds its tables to this interface by declaration merging, so that one Kysely
 * instance is typed for the whole schema while each module keeps its table types beside its code.
 */
export interface Tables {}

export type Db = Kysely<Tables>;

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** The PostgreSQL pool (server only), for what Kysely does not do: COPY FROM STDIN of bulk imports. */
  pool?: pg.Pool;
  /** The embedded database's files as a tarball, to open copies of it later (`snapshot` option). */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

// int8 (count(*), bigserial) fits JS numbers for our volumes, and PGlite already returns numbers:
// both drivers then agree. numeric stays a string to keep money exact.
pg.types.setTypeParser(20, (value) => Number(value));
// A calendar date stays a 'YYYY-MM-DD' string: a Date would shift it by the server's time zone.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value) => value);

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Folder for embedded data; undefined keeps the embedded database in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
  /** Open an in-memory embedded database from a `dump()` of another (the tests' migrated templates). */
  snapshot?: Blob | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // Idle connections stay open: reopening one forks a PostgreSQL backend, which shows in the latency tail.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, idleTimeoutMillis: 0 });
    // An idle connection that the server ends (restart, failover, a dropped database) is discarded by the pool,
    // which opens a new one for the next query; without a listener the error would crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', pool, close: () => db.destroy() };
  }
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.snapshot ? { loadDataDir: options.snapshot } : {}),
    parsers: { [DATE_OID]: (value: string) => value },
  });
  const db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', dump: () => pglite.dumpDataDir('none'), close: () => db.destroy() };
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
