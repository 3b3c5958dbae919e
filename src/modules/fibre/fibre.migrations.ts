import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';

export const fibreMigrations: MigrationSet = {
  '202612011000_fibre_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('fibre_operators')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('fibre_imports')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('operator_code', 'text', (c) => c.notNull().references('fibre_operators.code'))
        .addColumn('snapshot_date', 'date', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'superseded', 'refused')`))
        .addColumn('format', 'text', (c) => c.check(sql`format in ('ipe', 'arcep')`))
        .addColumn('file_name', 'text', (c) => c.notNull())
        // Null for a file refused before it was read to its end.
        .addColumn('content_hash', 'text')
        .addColumn('encoding', 'text')
        .addColumn('refusal', 'text')
        .addColumn('lines', 'integer', (c) => c.notNull())
        .addColumn('accepted', 'integer', (c) => c.notNull())
        .addColumn('rejected', 'integer', (c) => c.notNull())
        .addColumn('dwellings', 'integer', (c) => c.notNull())
        .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .execute();
      // One snapshot per operator and date; a new file for that date supersedes the previous one.
      await sql`create unique index fibre_imports_snapshot on fibre_imports (operator_code, snapshot_date) where status = 'accepted'`.execute(db);
      await db.schema.createIndex('fibre_imports_imported_at').on('fibre_imports').column('imported_at').execute();

      await db.schema
        .createTable('fibre_import_rejects')
        .addColumn('import_id', 'uuid', (c) => c.notNull().references('fibre_imports.id').onDelete('cascade'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('building_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('fibre_import_rejects_pk', ['import_id', 'line'])
        .execute();

      // No foreign key nor primary key: millions of rows arrive per file in bulk, the importer guarantees
      // one row per building, and the service deletes a superseded snapshot's rows itself.
      await db.schema
        .createTable('fibre_buildings')
        .addColumn('import_id', 'uuid', (c) => c.notNull())
        .addColumn('building_id', 'text', (c) => c.notNull())
        .addColumn('insee', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('dwellings', 'integer', (c) => c.notNull())
        .addColumn('longitude', 'double precision', (c) => c.notNull())
        .addColumn('latitude', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('fibre_buildings_commune').on('fibre_buildings').columns(['import_id', 'insee']).execute();

      await db.schema
        .createTable('fibre_commune_stats')
        .addColumn('import_id', 'uuid', (c) => c.notNull().references('fibre_imports.id').onDelete('cascade'))
        .addColumn('insee', 'text', (c) => c.notNull().references('communes.insee'))
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('CI', 'SI', 'EC', 'DE', 'AB')`))
        .addColumn('buildings', 'integer', (c) => c.notNull())
        .addColumn('dwellings', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('fibre_commune_stats_pk', ['import_id', 'insee', 'state'])
        .execute();
      await db.schema.createIndex('fibre_commune_stats_commune').on('fibre_commune_stats').column('insee').execute();

      await db.schema
        .createTable('fibre_programme_communes')
        .addColumn('insee', 'text', (c) => c.primaryKey().references('communes.insee'))
        .execute();
    },
  },

  // The programme's communes are reference data: the rural communes of Yvelines (under 5,000 inhabitants
  // at the 2025 COG, 187 communes, about 228,000 inhabitants, that is about 100,000 households).
  '202612011001_fibre_programme_communes': {
    async up(db: Kysely<unknown>) {
      await sql`insert into fibre_programme_communes (insee)
                select insee from communes where departement = '78' and population < 5000`.execute(db);
    },
  },
};
