import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';

const now = sql`now()`;

export const evidenceMigrations: MigrationSet = {
  '202611301500_evidence_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('evidence_authorisations')
        .addColumn('site_id', 'uuid', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('issued_on', 'date', (c) => c.notNull())
        .addColumn('expires_on', 'date', (c) => c.notNull())
        .addColumn('retention_days', 'integer', (c) => c.notNull().check(sql`retention_days between 1 and 30`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('evidence_segments')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('camera_id', 'uuid', (c) => c.notNull().references('security_devices.id'))
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
        .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull().unique())
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('deleted_at', 'timestamptz')
        .addUniqueConstraint('evidence_segments_camera_start', ['camera_id', 'starts_at'])
        .addCheckConstraint('evidence_segments_range', sql`ends_at > starts_at`)
        .execute();
      await db.schema.createIndex('evidence_segments_live').on('evidence_segments').columns(['camera_id', 'ends_at']).where(sql.ref('deleted_at'), 'is', null).execute();

      await db.schema
        .createTable('evidence_requisitions')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('authority', 'text', (c) => c.notNull())
        .addColumn('officer_name', 'text', (c) => c.notNull())
        .addColumn('officer_service', 'text', (c) => c.notNull())
        .addColumn('officer_user_id', 'uuid', (c) => c.references('users.id'))
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('camera_ids', sql`uuid[]`, (c) => c.notNull())
        .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
        .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
        .addColumn('deadline', 'date', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'timestamptz')
        .execute();

      await db.schema
        .createTable('evidence_holds')
        .addColumn('requisition_id', 'uuid', (c) => c.notNull().references('evidence_requisitions.id'))
        .addColumn('segment_id', 'uuid', (c) => c.notNull().references('evidence_segments.id'))
        .addColumn('placed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('released_at', 'timestamptz')
        .addPrimaryKeyConstraint('evidence_holds_pk', ['requisition_id', 'segment_id'])
        .execute();
      await db.schema.createIndex('evidence_holds_active').on('evidence_holds').column('segment_id').where(sql.ref('released_at'), 'is', null).execute();

      await db.schema
        .createTable('evidence_packages')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('requisition_id', 'uuid', (c) => c.notNull().references('evidence_requisitions.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('segment_count', 'integer', (c) => c.notNull())
        .addColumn('size_bytes', 'bigint')
        .addColumn('manifest_sha256', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('ready_at', 'timestamptz')
        .addColumn('handed_to', 'text')
        .addColumn('handover_media', 'text')
        .addColumn('handed_over_at', 'timestamptz')
        .addColumn('handed_over_by', 'text')
        .execute();
    },
  },
};
