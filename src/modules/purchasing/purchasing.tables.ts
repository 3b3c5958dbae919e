import type { Generated } from 'kysely';

export const LOT_CODES = ['e-education', 'video-protection', 'telecoms', 'charging-stations', 'school-furniture'] as const;
export type LotCode = (typeof LOT_CODES)[number];

/** Asset type codes owned by the education module; the category of every e-education and school-furniture item. */
export const ASSET_TYPES = ['tablet', 'pc', 'interactive_projector', 'microphone', 'robot', 'web_tv_kit', 'web_radio_kit', 'mobile_class_trolley', 'wifi_access_point', 'furniture'] as const;
export const ASSET_TYPED_LOTS: ReadonlySet<LotCode> = new Set(['e-education', 'school-furniture']);

/** The DECP enumerations, stored as the DECP spells them so that the export is a plain copy. */
export const PROCEDURES = ['Procédure adaptée', "Appel d'offres ouvert", "Appel d'offres restreint", 'Procédure avec négociation', 'Marché passé sans publicité ni mise en concurrence préalable', 'Dialogue compétitif'] as const;
export const PRICE_FORMS = ['Unitaire', 'Forfaitaire', 'Mixte'] as const;
export const PRICE_TYPES = ['Définitif ferme', 'Définitif actualisable', 'Définitif révisable', 'Provisoire'] as const;
export type Execution = 'purchase_orders' | 'follow_on_contracts';
/** cumulative: the tier is reached by the quantity ordered by all members over the agreement; per_order: by the order's line. */
export type TierBasis = 'cumulative' | 'per_order';

export const ORDER_STATUSES = ['draft', 'submitted', 'validated', 'sent', 'partially_delivered', 'delivered', 'invoiced', 'closed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Orders that hold money: their lines count in the pooled volume and on the lot's maximum. */
export const COMMITTED_STATUSES: OrderStatus[] = ['validated', 'sent', 'partially_delivered', 'delivered', 'invoiced', 'closed'];

export interface PurchasingAgreementsTable {
  id: string;
  reference: string;
  object: string;
  cpv_code: string;
  procedure: string;
  notification_date: string;
  duration_months: number;
  end_date: string;
  price_form: string;
  price_type: string;
  execution: Execution;
  tier_basis: TierBasis;
  offers_received: Generated<number>;
  created_at: Generated<Date>;
  created_by: string;
}

export interface PurchasingSuppliersTable {
  agreement_id: string;
  siret: string;
  name: string;
}

export interface PurchasingLotsTable {
  id: string;
  agreement_id: string;
  code: LotCode;
  label: string;
  supplier_siret: string;
  min_cents: number;
  max_cents: number;
  committed_cents: Generated<number>;
}

export interface PurchasingAmendmentsTable {
  id: string;
  agreement_id: string;
  seq: number;
  date: string;
  amount_cents: number;
  object: string;
}

export interface PurchasingConventionsTable {
  id: string;
  reference: string;
  member_id: string;
  signed_on: string;
  lots: LotCode[];
  contact_name: string;
  contact_email: string;
  created_at: Generated<Date>;
}

export interface PurchasingItemsTable {
  id: string;
  lot_id: string;
  reference: string;
  label: string;
  category: string;
  unit: string;
  unit_price_cents: number;
  vat_rate_bp: number;
  list_price_cents: number;
  withdrawn: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface PurchasingPriceTiersTable {
  item_id: string;
  min_quantity: number;
  unit_price_cents: number;
}

export interface PurchasingBudgetsTable {
  id: string;
  member_id: string;
  year: number;
  programme: string;
  amount_cents: number;
  committed_cents: Generated<number>;
  consumed_cents: Generated<number>;
}

export interface PurchasingOrdersTable {
  id: string;
  member_id: string;
  lot_id: string;
  budget_id: string | null;
  delivery_site_id: string | null;
  status: OrderStatus;
  number: string | null;
  title: string;
  search_text: Generated<string>;
  total_cents: Generated<number>;
  /** What the order still holds on its budget: set at validation, moved to consumption at each delivery. */
  committed_cents: Generated<number>;
  override_reason: string | null;
  validated_at: Date | null;
  invoice_number: string | null;
  invoice_amount_cents: number | null;
  chorus_invoice_id: string | null;
  chorus_engagement: string | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PurchasingOrderLinesTable {
  id: string;
  order_id: string;
  item_id: string;
  quantity: number;
  unit_price_cents: number;
  solo_unit_price_cents: number;
  list_price_cents: number;
  delivered_quantity: Generated<number>;
}

export interface PurchasingOrderEventsTable {
  id: Generated<number>;
  order_id: string;
  verb: string;
  at: Generated<Date>;
  actor_label: string;
  details: unknown;
}

export interface PurchasingDeliveriesTable {
  id: string;
  order_id: string;
  delivered_at: Date;
  recorded_by: string;
  note: Generated<string>;
}

export interface PurchasingDeliveryLinesTable {
  delivery_id: string;
  order_line_id: string;
  quantity: number;
  serial_numbers: string[];
}

declare module '../../platform/db/database.js' {
  interface Tables {
    purchasing_agreements: PurchasingAgreementsTable;
    purchasing_suppliers: PurchasingSuppliersTable;
    purchasing_lots: PurchasingLotsTable;
    purchasing_amendments: PurchasingAmendmentsTable;
    purchasing_conventions: PurchasingConventionsTable;
    purchasing_items: PurchasingItemsTable;
    purchasing_price_tiers: PurchasingPriceTiersTable;
    purchasing_budgets: PurchasingBudgetsTable;
    purchasing_orders: PurchasingOrdersTable;
    purchasing_order_lines: PurchasingOrderLinesTable;
    purchasing_order_events: PurchasingOrderEventsTable;
    purchasing_deliveries: PurchasingDeliveriesTable;
    purchasing_delivery_lines: PurchasingDeliveryLinesTable;
  }
}
