import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.js';

/**
 * Migrations are owned by modules; their names start with a UTC timestamp (YYYYMMDDHHmm) so that one
 * global order exists across modules. The same files run on PGlite and on PostgreSQL.
 */
export type MigrationSet = Record<string, Migration>;

class ModuleMigrationProvider implements MigrationProvider {
  constructor(private readonly sets: MigrationSet[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const all: Record<string, Migration> = {};
    for (const set of this.sets) {
      for (const [name, migration] of Object.entries(set)) {
        if (!/^\d{12}_[a-z0-9_]+$/.test(name)) throw new Error(`Migration name "${name}" must look like 202611291500_module_change`);
        if (all[name]) throw new Error(`Two modules define migration "${name}"`);
        all[name] = migration;
      }
    }
    return all;
  }
}

export class MigrationError extends Error {
  constructor(readonly migration: string | undefined, cause: unknown) {
    super(`Migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the names applied now (empty when up to date). */
export async function migrateToLatest(db: Db, sets: MigrationSet[]): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new ModuleMigrationProvider(sets) });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
