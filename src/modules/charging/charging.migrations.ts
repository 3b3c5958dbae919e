import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';

export const chargingMigrations: MigrationSet = {
  '202611291800_charging_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('charging_stations')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('id_station_itinerance', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('registration', 'text', (c) => c.notNull().check(sql`registration in ('accepted', 'pending')`))
        // Null only for a station that registered itself and waits for its site (auto-registration).
        .addColumn('site_id', 'uuid', (c) => c.references('sites.id'))
        .addColumn('commune_insee', 'text', (c) => c.references('communes.insee'))
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('longitude', 'double precision')
        .addColumn('latitude', 'double precision')
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('opening_hours', 'text', (c) => c.notNull())
        .addColumn('implantation', 'text', (c) => c.notNull())
        .addColumn('access_condition', 'text', (c) => c.notNull())
        .addColumn('pmr', 'text', (c) => c.notNull())
        .addColumn('height_restriction', 'text', (c) => c.notNull())
        .addColumn('commissioning_date', 'date')
        .addColumn('grid_connection', 'text')
        .addColumn('pdl', 'text')
        .addColumn('ocpp_identity', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('tariff_kwh', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('tariff_minute', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('tariff_fixed', 'numeric(10, 4)', (c) => c.notNull())
        .addColumn('vendor', 'text')
        .addColumn('model', 'text')
        .addColumn('serial_number', 'text')
        .addColumn('firmware_version', 'text')
        .addColumn('firmware_status', 'text')
        .addColumn('diagnostics_status', 'text')
        .addColumn('configuration', 'jsonb')
        .addColumn('configuration_at', 'timestamptz')
        .addColumn('last_boot_at', 'timestamptz')
        .addColumn('last_seen_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('charging_stations_commune').on('charging_stations').column('commune_insee').execute();

      await db.schema
        .createTable('charging_points')
        .addColumn('station_id', 'uuid', (c) => c.notNull().references('charging_stations.id').onDelete('cascade'))
        .addColumn('connector_id', 'integer', (c) => c.notNull().check(sql`connector_id > 0`))
        .addColumn('id_pdc_itinerance', 'text', (c) => c.notNull().unique())
        .addColumn('max_power_kw', 'double precision', (c) => c.notNull())
        .addColumn('sockets', sql`text[]`, (c) => c.notNull())
        .addColumn('status', 'text')
        .addColumn('error_code', 'text')
        .addColumn('status_at', 'timestamptz')
        .addPrimaryKeyConstraint('charging_points_pk', ['station_id', 'connector_id'])
        .execute();

      await db.schema
        .createTable('charging_status_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('station_id', 'uuid', (c) => c.notNull().references('charging_stations.id').onDelete('cascade'))
        .addColumn('connector_id', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text', (c) => c.notNull())
        .addColumn('info', 'text')
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('charging_status_history_point').on('charging_status_history').columns(['station_id', 'connector_id', 'at']).execute();

      await db.schema
        .createTable('charging_station_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('station_id', 'uuid', (c) => c.notNull().references('charging_stations.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('detail', 'jsonb', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('charging_station_events_station').on('charging_station_events').columns(['station_id', 'kind', 'at']).execute();

      await db.schema
        .createTable('charging_badges')
        .addColumn('id_tag', 'text', (c) => c.primaryKey())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('Accepted', 'Blocked', 'Expired', 'Invalid')`))
        .addColumn('owner_member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('owner_user_id', 'uuid')
        .addColumn('expires_at', 'timestamptz')
        .addColumn('parent_id_tag', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('charging_sessions')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        // OCPP 1.6 transaction ids are integers.
        .addColumn('transaction_id', 'integer', (c) => c.notNull().unique().generatedByDefaultAsIdentity())
        .addColumn('station_id', 'uuid', (c) => c.notNull().references('charging_stations.id'))
        .addColumn('connector_id', 'integer', (c) => c.notNull())
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('id_tag', 'text', (c) => c.notNull())
        .addColumn('auth_status', 'text', (c) => c.notNull())
        .addColumn('reservation_id', 'integer')
        .addColumn('meter_start', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('meter_stop', 'bigint')
        .addColumn('stopped_at', 'timestamptz')
        .addColumn('stop_reason', 'text')
        .addColumn('energy_wh', 'bigint')
        .addColumn('cost', 'numeric(12, 2)')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // A StartTransaction the station retries (no answer received) is the same session.
      await sql`create unique index charging_sessions_start on charging_sessions (station_id, connector_id, id_tag, started_at, meter_start)`.execute(db);
      await db.schema.createIndex('charging_sessions_started').on('charging_sessions').column('started_at').execute();

      // No key: rows arrive in bulk and are only read per transaction or per station and time.
      await db.schema
        .createTable('charging_meter_values')
        .addColumn('station_id', 'uuid', (c) => c.notNull())
        .addColumn('connector_id', 'integer', (c) => c.notNull())
        .addColumn('transaction_id', 'integer')
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('measurand', 'text', (c) => c.notNull())
        .addColumn('phase', 'text')
        .addColumn('unit', 'text')
        .addColumn('context', 'text')
        .addColumn('value', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('charging_meter_values_transaction').on('charging_meter_values').columns(['transaction_id', 'at']).execute();

      await db.schema
        .createTable('charging_commands')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('station_id', 'uuid', (c) => c.notNull().references('charging_stations.id').onDelete('cascade'))
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response', 'jsonb')
        .addColumn('error', 'text')
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('answered_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('charging_commands_station').on('charging_commands').columns(['station_id', 'requested_at']).execute();
    },
  },
};
