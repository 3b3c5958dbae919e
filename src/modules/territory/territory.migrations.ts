import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';
import { buildReferenceTerritory } from './reference-data.js';

export const territoryMigrations: MigrationSet = {
  '202611291400_territory_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('smo', 'departement', 'epci', 'commune')`))
        .addColumn('name', 'text', (c) => c.notNull())
        // INSEE code for départements and communes, SIREN for EPCIs and EPTs.
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('epci_type', 'text')
        .addColumn('departement', 'text')
        .addColumn('adhesion_status', 'text', (c) =>
          c.notNull().defaultTo('non_adherent').check(sql`adhesion_status in ('adherent', 'non_adherent', 'withdrawn')`),
        )
        .addColumn('adhesion_date', 'date')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('members_kind_code', ['kind', 'code'])
        .execute();

      // The member tree used for scoping: a département over its communes, an EPCI over its communes.
      await db.schema
        .createTable('member_links')
        .addColumn('parent_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
        .addColumn('child_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('member_links_pk', ['parent_id', 'child_id'])
        .execute();
      await db.schema.createIndex('member_links_child').on('member_links').column('child_id').execute();

      await db.schema
        .createTable('communes')
        .addColumn('insee', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('departement', 'text', (c) => c.notNull())
        .addColumn('population', 'integer')
        .addColumn('postal_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('epci_siren', 'text')
        .addColumn('ept_siren', 'text')
        .addColumn('member_id', 'text', (c) => c.notNull().unique().references('members.id'))
        .addColumn('geometry', 'jsonb', (c) => c.notNull())
        .addColumn('min_lon', 'double precision', (c) => c.notNull())
        .addColumn('min_lat', 'double precision', (c) => c.notNull())
        .addColumn('max_lon', 'double precision', (c) => c.notNull())
        .addColumn('max_lat', 'double precision', (c) => c.notNull())
        .execute();
      await sql`create index communes_name_search on communes (lower(name))`.execute(db);

      await db.schema
        .createTable('sites')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('school', 'public_building', 'car_park', 'other')`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('uai', 'text', (c) => c.unique())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('longitude', 'double precision', (c) => c.notNull())
        .addColumn('latitude', 'double precision', (c) => c.notNull())
        .addColumn('commune_insee', 'text', (c) => c.notNull().references('communes.insee'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addCheckConstraint('sites_school_has_uai', sql`(kind = 'school') = (uai is not null)`)
        .execute();
      await sql`create unique index sites_member_name on sites (member_id, lower(name))`.execute(db);
      await db.schema.createIndex('sites_commune').on('sites').column('commune_insee').execute();
    },
  },

  // Reference data is versioned like the schema: a new COG vintage comes as a new migration.
  '202611291401_territory_cog_2025': {
    async up(db: Kysely<unknown>) {
      const ref = buildReferenceTerritory();
      const k = db as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      await k.insertInto('members').values(ref.members).execute();
      await k.insertInto('member_links').values(ref.links).execute();
      for (let i = 0; i < ref.communes.length; i += 50) {
        const batch = ref.communes.slice(i, i + 50).map((c) => ({
          ...c,
          postal_codes: sql`${c.postal_codes}::text[]`,
          geometry: JSON.stringify(c.geometry),
        }));
        await k.insertInto('communes').values(batch).execute();
      }
    },
  },
};
