import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server of this machine; TEST_DATABASE_URL points elsewhere. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Driver = 'pglite' | 'postgres';

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The drivers every integration test runs on. The PostgreSQL tier is mandatory in CI (CI=true) and
 * whenever MUTUALIS_REQUIRE_POSTGRES=1: there an unreachable server fails the run instead of skipping.
 */
export async function testDrivers(): Promise<Driver[]> {
  if (await postgresReachable()) return ['pglite', 'postgres'];
  if (process.env.CI === 'true' || process.env.MUTUALIS_REQUIRE_POSTGRES === '1') {
    throw new Error(`PostgreSQL is required for the tests and unreachable at ${ADMIN_URL}`);
  }
  console.warn(`PostgreSQL unreachable at ${ADMIN_URL}: running the embedded tier only`);
  return ['pglite'];
}

/** A new database on the server for one test file, empty or a copy of `template`; drop() removes it. */
export async function createScratchDatabase(template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mutualis_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
