import { sql, type Kysely } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrations.js';

const LOT_CODES = `('e-education', 'video-protection', 'telecoms', 'charging-stations', 'school-furniture')`;

export const purchasingMigrations: MigrationSet = {
  '202611291800_purchasing_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('purchasing_agreements')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        // The DECP identifier of the market: 16 characters at most.
        .addColumn('reference', 'text', (c) => c.notNull().unique())
        .addColumn('object', 'text', (c) => c.notNull())
        .addColumn('cpv_code', 'text', (c) => c.notNull())
        .addColumn('procedure', 'text', (c) => c.notNull())
        .addColumn('notification_date', 'date', (c) => c.notNull())
        .addColumn('duration_months', 'integer', (c) => c.notNull().check(sql`duration_months > 0`))
        .addColumn('end_date', 'date', (c) => c.notNull())
        .addColumn('price_form', 'text', (c) => c.notNull())
        .addColumn('price_type', 'text', (c) => c.notNull())
        .addColumn('execution', 'text', (c) => c.notNull().check(sql`execution in ('purchase_orders', 'follow_on_contracts')`))
        .addColumn('tier_basis', 'text', (c) => c.notNull().check(sql`tier_basis in ('cumulative', 'per_order')`))
        .addColumn('offers_received', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('purchasing_suppliers')
        .addColumn('agreement_id', 'uuid', (c) => c.notNull().references('purchasing_agreements.id').onDelete('cascade'))
        .addColumn('siret', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('purchasing_suppliers_pk', ['agreement_id', 'siret'])
        .execute();

      await db.schema
        .createTable('purchasing_lots')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('agreement_id', 'uuid', (c) => c.notNull().references('purchasing_agreements.id').onDelete('cascade'))
        .addColumn('code', 'text', (c) => c.notNull().check(sql.raw(`code in ${LOT_CODES}`)))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('supplier_siret', 'text', (c) => c.notNull())
        .addColumn('min_cents', 'bigint', (c) => c.notNull())
        .addColumn('max_cents', 'bigint', (c) => c.notNull())
        // What validated orders hold on the lot's maximum; updated under the lot's row lock only.
        .addColumn('committed_cents', 'bigint', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('purchasing_lots_code', ['agreement_id', 'code'])
        .addCheckConstraint('purchasing_lots_amounts', sql`min_cents >= 0 and max_cents >= min_cents`)
        .execute();

      await db.schema
        .createTable('purchasing_amendments')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('agreement_id', 'uuid', (c) => c.notNull().references('purchasing_agreements.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('date', 'date', (c) => c.notNull())
        .addColumn('amount_cents', 'bigint', (c) => c.notNull())
        .addColumn('object', 'text', (c) => c.notNull())
        .addUniqueConstraint('purchasing_amendments_seq', ['agreement_id', 'seq'])
        .execute();

      await db.schema
        .createTable('purchasing_conventions')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('reference', 'text', (c) => c.notNull().unique())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('signed_on', 'date', (c) => c.notNull())
        .addColumn('lots', sql`text[]`, (c) => c.notNull())
        .addColumn('contact_name', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('purchasing_conventions_member').on('purchasing_conventions').column('member_id').execute();

      await db.schema
        .createTable('purchasing_items')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('lot_id', 'uuid', (c) => c.notNull().references('purchasing_lots.id').onDelete('cascade'))
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('unit_price_cents', 'bigint', (c) => c.notNull().check(sql`unit_price_cents > 0`))
        // Basis points: 2000 is 20 %, 550 is 5.5 %; integers keep VAT exact.
        .addColumn('vat_rate_bp', 'integer', (c) => c.notNull().check(sql`vat_rate_bp between 0 and 10000`))
        .addColumn('list_price_cents', 'bigint', (c) => c.notNull())
        .addColumn('withdrawn', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('purchasing_items_reference', ['lot_id', 'reference'])
        .execute();

      await db.schema
        .createTable('purchasing_price_tiers')
        .addColumn('item_id', 'uuid', (c) => c.notNull().references('purchasing_items.id').onDelete('cascade'))
        .addColumn('min_quantity', 'integer', (c) => c.notNull().check(sql`min_quantity > 1`))
        .addColumn('unit_price_cents', 'bigint', (c) => c.notNull().check(sql`unit_price_cents > 0`))
        .addPrimaryKeyConstraint('purchasing_price_tiers_pk', ['item_id', 'min_quantity'])
        .execute();

      await db.schema
        .createTable('purchasing_budgets')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('programme', 'text', (c) => c.notNull())
        .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents >= 0`))
        .addColumn('committed_cents', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('consumed_cents', 'bigint', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('purchasing_budgets_key', ['member_id', 'year', 'programme'])
        .execute();

      await sql`create sequence purchasing_order_number_seq`.execute(db);
      await db.schema
        .createTable('purchasing_orders')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('lot_id', 'uuid', (c) => c.notNull().references('purchasing_lots.id'))
        .addColumn('budget_id', 'uuid', (c) => c.references('purchasing_budgets.id'))
        .addColumn('delivery_site_id', 'uuid', (c) => c.references('sites.id'))
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('draft', 'submitted', 'validated', 'sent', 'partially_delivered', 'delivered', 'invoiced', 'closed', 'cancelled')`),
        )
        .addColumn('number', 'text', (c) => c.unique())
        .addColumn('title', 'text', (c) => c.notNull())
        // Number, title and member name folded (lower case, no accents): what the order search reads.
        .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('total_cents', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('committed_cents', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('override_reason', 'text')
        .addColumn('validated_at', 'timestamptz')
        .addColumn('invoice_number', 'text')
        .addColumn('invoice_amount_cents', 'bigint')
        .addColumn('chorus_invoice_id', 'text')
        .addColumn('chorus_engagement', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // The order list's searches (see bench/purchasing.bench.ts): everything newest first, a member's
      // orders, the validation queue by status, and a purchase order number by its prefix.
      await db.schema.createIndex('purchasing_orders_created').on('purchasing_orders').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('purchasing_orders_member').on('purchasing_orders').columns(['member_id', 'created_at']).execute();
      await db.schema.createIndex('purchasing_orders_status').on('purchasing_orders').columns(['status', 'created_at']).execute();
      await sql`create index purchasing_orders_number_prefix on purchasing_orders (number text_pattern_ops)`.execute(db);
      await db.schema.createIndex('purchasing_orders_lot').on('purchasing_orders').column('lot_id').execute();

      await db.schema
        .createTable('purchasing_order_lines')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('order_id', 'uuid', (c) => c.notNull().references('purchasing_orders.id').onDelete('cascade'))
        .addColumn('item_id', 'uuid', (c) => c.notNull().references('purchasing_items.id'))
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('unit_price_cents', 'bigint', (c) => c.notNull())
        // What the member would have paid on its own volume, and the public list price: the savings.
        .addColumn('solo_unit_price_cents', 'bigint', (c) => c.notNull())
        .addColumn('list_price_cents', 'bigint', (c) => c.notNull())
        .addColumn('delivered_quantity', 'integer', (c) => c.notNull().defaultTo(0))
        .addCheckConstraint('purchasing_order_lines_delivered', sql`delivered_quantity between 0 and quantity`)
        .execute();
      await db.schema.createIndex('purchasing_order_lines_order').on('purchasing_order_lines').column('order_id').execute();
      await db.schema.createIndex('purchasing_order_lines_item').on('purchasing_order_lines').column('item_id').execute();

      await db.schema
        .createTable('purchasing_order_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('order_id', 'uuid', (c) => c.notNull().references('purchasing_orders.id').onDelete('cascade'))
        .addColumn('verb', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .execute();
      await db.schema.createIndex('purchasing_order_events_order').on('purchasing_order_events').column('order_id').execute();

      await db.schema
        .createTable('purchasing_deliveries')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('order_id', 'uuid', (c) => c.notNull().references('purchasing_orders.id').onDelete('cascade'))
        .addColumn('delivered_at', 'timestamptz', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('purchasing_deliveries_order').on('purchasing_deliveries').column('order_id').execute();

      await db.schema
        .createTable('purchasing_delivery_lines')
        .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('purchasing_deliveries.id').onDelete('cascade'))
        .addColumn('order_line_id', 'uuid', (c) => c.notNull().references('purchasing_order_lines.id').onDelete('cascade'))
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('serial_numbers', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addPrimaryKeyConstraint('purchasing_delivery_lines_pk', ['delivery_id', 'order_line_id'])
        .execute();
    },
  },
};
