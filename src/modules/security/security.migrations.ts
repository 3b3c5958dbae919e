import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';

const now = sql`now()`;

export const securityMigrations: MigrationSet = {
  '202611291800_security_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('security_centres')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('security_centre_sites')
        .addColumn('centre_id', 'uuid', (c) => c.notNull().references('security_centres.id').onDelete('cascade'))
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('security_centre_sites_pk', ['centre_id', 'site_id'])
        .execute();
      await db.schema
        .createTable('security_centre_members')
        .addColumn('centre_id', 'uuid', (c) => c.notNull().references('security_centres.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addPrimaryKeyConstraint('security_centre_members_pk', ['centre_id', 'member_id'])
        .execute();
      await db.schema
        .createTable('security_operators')
        .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('centre_id', 'uuid', (c) => c.notNull().references('security_centres.id').onDelete('cascade'))
        .execute();

      await db.schema
        .createTable('security_devices')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('camera', 'reader', 'door', 'intrusion_sensor')`))
        .addColumn('model', 'text')
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('zone', 'text')
        .addColumn('zone_restricted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('purposes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        // Belt and braces under the service's check: no row may ever say a camera measures temperature.
        .addCheckConstraint('security_devices_no_temperature', sql`not ('temperature_measurement' = any(purposes))`)
        .addColumn('stream_ref', 'text')
        .addColumn('frigate_camera', 'text', (c) => c.unique())
        .addColumn('door_id', 'uuid', (c) => c.references('security_devices.id'))
        .addColumn('install_date', 'date')
        .addColumn('maintainer', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('status_at', 'timestamptz')
        .addColumn('token_hash', 'text', (c) => c.unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema.createIndex('security_devices_site').on('security_devices').column('site_id').execute();

      await db.schema
        .createTable('security_rules')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('event', 'burst', 'combination')`))
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('other_event_type', 'text')
        .addColumn('alarm_type', 'text', (c) => c.notNull())
        .addColumn('threshold', 'integer')
        .addColumn('correlation_window_sec', 'integer')
        .addColumn('site_id', 'uuid', (c) => c.references('sites.id').onDelete('cascade'))
        .addColumn('device_id', 'uuid', (c) => c.references('security_devices.id').onDelete('cascade'))
        .addColumn('windows', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority between 1 and 5`))
        .addColumn('group_window_sec', 'integer', (c) => c.notNull())
        .addColumn('deadline_sec', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();

      await db.schema
        .createTable('security_procedures')
        .addColumn('alarm_type', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('steps', sql`text[]`, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('security_alarms')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority between 1 and 5`))
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('new', 'taken', 'verification', 'qualified', 'closed')`))
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'uuid', (c) => c.references('security_devices.id'))
        .addColumn('rule_id', 'uuid', (c) => c.references('security_rules.id').onDelete('set null'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('first_event_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_event_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('deadline_at', 'timestamptz', (c) => c.notNull())
        .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('taken_by', 'uuid')
        .addColumn('taken_by_label', 'text')
        .addColumn('taken_at', 'timestamptz')
        .addColumn('verification_at', 'timestamptz')
        .addColumn('qualified_at', 'timestamptz')
        .addColumn('qualification', 'text')
        .addColumn('qualification_details', 'jsonb')
        .addColumn('closed_at', 'timestamptz')
        .addColumn('report', 'text')
        .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .execute();
      // Grouping looks up the open alarm of a key on every batch of events.
      await sql`create index security_alarms_open_key on security_alarms (group_key, last_event_at desc) where state in ('new', 'taken', 'verification')`.execute(db);
      await db.schema.createIndex('security_alarms_queue').on('security_alarms').columns(['state', 'priority', 'created_at']).execute();
      await db.schema.createIndex('security_alarms_site').on('security_alarms').columns(['site_id', 'created_at']).execute();

      await db.schema
        .createTable('security_alarm_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('alarm_id', 'uuid', (c) => c.notNull().references('security_alarms.id').onDelete('cascade'))
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('actor_id', 'uuid')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .execute();
      await db.schema.createIndex('security_alarm_history_alarm').on('security_alarm_history').columns(['alarm_id', 'id']).execute();

      // No foreign keys: events arrive in bulk batches; the ingester resolves devices before inserting.
      await db.schema
        .createTable('security_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'uuid', (c) => c.notNull())
        .addColumn('site_id', 'uuid', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('details', 'jsonb', (c) => c.notNull())
        .addColumn('alarm_id', 'uuid')
        .execute();
      await db.schema.createIndex('security_events_alarm').on('security_events').column('alarm_id').execute();
      await db.schema.createIndex('security_events_device').on('security_events').columns(['device_id', 'occurred_at']).execute();

      await db.schema
        .createTable('security_dead_letters')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('topic', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('security_tickets')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('alarm_id', 'uuid', (c) => c.notNull().references('security_alarms.id'))
        .addColumn('device_id', 'uuid', (c) => c.references('security_devices.id'))
        .addColumn('site_id', 'uuid', (c) => c.notNull().references('sites.id'))
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  },

  '202611291801_security_studies': {
    async up(db: Kysely<unknown>) {
      // One study per site; its lists are edited and read as a whole, hence jsonb.
      await db.schema
        .createTable('security_studies')
        .addColumn('site_id', 'uuid', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('threats', 'jsonb', (c) => c.notNull())
        .addColumn('risks', 'jsonb', (c) => c.notNull())
        .addColumn('measures', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
