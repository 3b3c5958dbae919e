import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';
import { ASSET_STATES, ASSET_TYPES, HOLDER_KINDS, LICENCE_PROFILES } from './education.tables.js';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const educationMigrations: MigrationSet = {
  '202611291800_education_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('edu_school_years')
        .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^\\d{4}-\\d{4}$'`))
        .addColumn('start_date', 'date', (c) => c.notNull())
        .addColumn('end_date', 'date', (c) => c.notNull())
        .addCheckConstraint('edu_school_years_dates', sql`start_date < end_date`)
        .execute();

      await db.schema
        .createTable('edu_schools')
        .addColumn('id', 'uuid', (c) => c.primaryKey().references('sites.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('uai', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('edu_schools_member').on('edu_schools').column('member_id').execute();

      await db.schema
        .createTable('edu_staff_access')
        .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('edu_staff_access_pk', ['user_id', 'school_id'])
        .execute();

      await db.schema
        .createTable('edu_classes')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('school_year', 'text', (c) => c.notNull().references('edu_school_years.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('levels', sql`text[]`, (c) => c.notNull())
        .addColumn('previous_class_id', 'uuid', (c) => c.references('edu_classes.id').unique())
        .addUniqueConstraint('edu_classes_name', ['school_id', 'school_year', 'name'])
        .execute();

      await db.schema
        .createTable('edu_pupils')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('school_ref', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_initial', 'text', (c) => c.notNull().check(sql`length(last_initial) = 1`))
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('class_id', 'uuid', (c) => c.references('edu_classes.id'))
        .addColumn('guardians', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('left_at', 'date')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('edu_pupils_ref', ['school_id', 'school_ref'])
        .execute();
      await db.schema.createIndex('edu_pupils_class').on('edu_pupils').column('class_id').execute();

      await db.schema
        .createTable('edu_staff')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('school_ref', 'text', (c) => c.notNull())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('teacher', 'staff')`))
        .addColumn('email', 'text')
        .addUniqueConstraint('edu_staff_ref', ['school_id', 'school_ref'])
        .execute();

      await db.schema
        .createTable('edu_assets')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('school_id', 'uuid', (c) => c.references('edu_schools.id'))
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in (${inList(ASSET_TYPES)})`))
        .addColumn('serial', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('supplier', 'text')
        .addColumn('order_ref', 'text')
        .addColumn('purchase_date', 'date')
        .addColumn('warranty_end', 'date')
        .addColumn('unit_price', 'numeric(12, 2)')
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in (${inList(ASSET_STATES)})`))
        .addColumn('room', 'text')
        .addColumn('delivery_key', 'text', (c) => c.unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('edu_assets_school').on('edu_assets').columns(['school_id', 'type', 'state']).execute();
      await db.schema.createIndex('edu_assets_member').on('edu_assets').column('member_id').execute();

      await db.schema
        .createTable('edu_asset_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        // No foreign key: assets are retired, never deleted, and a checked reference per history row would
        // cost as much as the row itself in bulk imports.
        .addColumn('asset_id', 'uuid', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('edu_asset_history_asset').on('edu_asset_history').columns(['asset_id', 'id']).execute();

      await db.schema
        .createTable('edu_assignments')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('asset_id', 'uuid', (c) => c.notNull().references('edu_assets.id'))
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('holder_kind', 'text', (c) => c.notNull().check(sql`holder_kind in (${inList(HOLDER_KINDS)})`))
        .addColumn('pupil_id', 'uuid', (c) => c.references('edu_pupils.id').onDelete('set null'))
        .addColumn('staff_id', 'uuid', (c) => c.references('edu_staff.id'))
        .addColumn('class_id', 'uuid', (c) => c.references('edu_classes.id'))
        .addColumn('room', 'text')
        .addColumn('loan', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('returned_at', 'timestamptz')
        .addColumn('end_reason', 'text')
        .execute();
      // One open assignment per device: assigning an assigned device fails here even under concurrency.
      await sql`create unique index edu_assignments_open on edu_assignments (asset_id) where returned_at is null`.execute(db);
      await sql`create index edu_assignments_pupil on edu_assignments (pupil_id) where returned_at is null`.execute(db);
      await sql`create index edu_assignments_class on edu_assignments (class_id) where returned_at is null`.execute(db);

      await db.schema
        .createTable('edu_repairs')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('asset_id', 'uuid', (c) => c.notNull().references('edu_assets.id'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('school_id', 'uuid', (c) => c.references('edu_schools.id'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('broken', 'lost_or_stolen')`))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'in_progress', 'closed')`))
        .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('repaired', 'replaced', 'not_found')`))
        .addColumn('holder_assignment_id', 'uuid', (c) => c.references('edu_assignments.id'))
        .addColumn('loan_asset_id', 'uuid', (c) => c.references('edu_assets.id'))
        .addColumn('reported_by', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('closed_at', 'timestamptz')
        .execute();
      await sql`create unique index edu_repairs_open on edu_repairs (asset_id) where status <> 'closed'`.execute(db);

      await db.schema
        .createTable('edu_rollovers')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('from_year', 'text', (c) => c.notNull().references('edu_school_years.id'))
        .addColumn('to_year', 'text', (c) => c.notNull().references('edu_school_years.id'))
        .addColumn('rule', 'text', (c) => c.notNull().check(sql`rule in ('return', 'keep')`))
        .addColumn('summary', 'jsonb', (c) => c.notNull())
        .addColumn('done_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('done_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('edu_rollovers_once', ['school_id', 'to_year'])
        .execute();

      await db.schema
        .createTable('edu_checklist')
        .addColumn('rollover_id', 'uuid', (c) => c.notNull().references('edu_rollovers.id').onDelete('cascade'))
        .addColumn('item', 'text', (c) => c.notNull().check(sql`item in ('collect_tablet', 'tablet_leaves', 'place_pupil', 'reassign_class_equipment')`))
        .addColumn('asset_id', 'uuid', (c) => c.references('edu_assets.id'))
        .addColumn('assignment_id', 'uuid', (c) => c.references('edu_assignments.id'))
        .addColumn('pupil_id', 'uuid', (c) => c.references('edu_pupils.id').onDelete('set null'))
        .addColumn('label', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('edu_checklist_rollover').on('edu_checklist').column('rollover_id').execute();

      await db.schema
        .createTable('edu_licence_pools')
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('profile', 'text', (c) => c.notNull().check(sql`profile in (${inList(LICENCE_PROFILES)})`))
        .addColumn('purchased', 'integer', (c) => c.notNull().check(sql`purchased >= 0`))
        .addColumn('allocated', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('edu_licence_pools_pk', ['school_id', 'profile'])
        .execute();

      await db.schema
        .createTable('edu_programmes')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('start_year', 'integer', (c) => c.notNull())
        .addColumn('leaver_rule', 'text', (c) => c.notNull().check(sql`leaver_rule in ('return', 'keep')`))
        .addColumn('target_devices', 'integer', (c) => c.notNull())
        .addColumn('target_teachers', 'integer', (c) => c.notNull())
        .addColumn('target_projectors', 'integer', (c) => c.notNull())
        .addColumn('target_licences', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('edu_programme_years')
        .addColumn('programme_id', 'uuid', (c) => c.notNull().references('edu_programmes.id').onDelete('cascade'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('budget', 'numeric(14, 2)', (c) => c.notNull())
        .addPrimaryKeyConstraint('edu_programme_years_pk', ['programme_id', 'year'])
        .execute();
      await db.schema
        .createTable('edu_programme_waves')
        .addColumn('programme_id', 'uuid', (c) => c.notNull().references('edu_programmes.id').onDelete('cascade'))
        .addColumn('school_id', 'uuid', (c) => c.notNull().references('edu_schools.id'))
        .addColumn('wave', 'integer', (c) => c.notNull())
        .addColumn('planned_date', 'date', (c) => c.notNull())
        .addPrimaryKeyConstraint('edu_programme_waves_pk', ['programme_id', 'school_id'])
        .execute();

      await db.schema
        .createTable('edu_deliveries')
        .addColumn('delivery_id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('accepted', 'rejected')`))
        .addColumn('reason', 'text')
        .addColumn('assets', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};
