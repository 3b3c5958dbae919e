import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Database, Tables } from './database.js';

type Trx = Transaction<Tables>;

/**
 * Runs `work` in a transaction on one dedicated connection, handing it that connection's raw client when the
 * database is a PostgreSQL server (for COPY), and null on PGlite.
 */
export async function withImportTransaction<T>(database: Database, work: (trx: Trx, client: pg.PoolClient | null) => Promise<T>): Promise<T> {
  if (!database.pool) return database.db.transaction().execute((trx) => work(trx, null));
  const client = await database.pool.connect();
  // Kysely over this one client, so that its transaction and the COPY share the connection.
  const single = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: { connect: async () => ({ query: client.query.bind(client), release: () => {} }), end: async () => {}, options: {} } }) });
  let broken: Error | undefined;
  try {
    return await single.transaction().execute((trx) => work(trx, client));
  } catch (error) {
    // A failed COPY can leave the connection in an unknown state: it is closed, not returned to the pool.
    broken = error as Error;
    throw error;
  } finally {
    await single.destroy();
    client.release(broken);
  }
}
