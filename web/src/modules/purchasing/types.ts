/** The purchasing API's shapes as the console reads them (see /api/openapi.json). */
export type LotCode = 'e-education' | 'video-protection' | 'telecoms' | 'charging-stations' | 'school-furniture';
export type OrderStatus = 'draft' | 'submitted' | 'validated' | 'sent' | 'partially_delivered' | 'delivered' | 'invoiced' | 'closed' | 'cancelled';

export interface Lot {
  id: string;
  code: LotCode;
  label: string;
  supplierSiret: string;
  supplierName: string;
  minAmount: number;
  maxAmount: number;
  committedAmount: number;
}

export interface Agreement {
  id: string;
  reference: string;
  object: string;
  cpvCode: string;
  procedure: string;
  notificationDate: string;
  durationMonths: number;
  endDate: string;
  priceForm: string;
  priceType: string;
  execution: 'purchase_orders' | 'follow_on_contracts';
  tierBasis: 'cumulative' | 'per_order';
  suppliers: { siret: string; name: string }[];
  lots: Lot[];
  amendments: { seq: number; date: string; amount: number; object: string }[];
}

export interface Item {
  id: string;
  lotId: string;
  lotCode: LotCode;
  agreementReference: string;
  reference: string;
  label: string;
  category: string;
  unit: string;
  unitPriceExclVat: number;
  vatRate: number;
  listPrice: number;
  withdrawn: boolean;
  tiers: { minQuantity: number; unitPriceExclVat: number }[];
}

export interface OrderSummary {
  id: string;
  number: string | null;
  title: string;
  memberId: string;
  memberName: string;
  lotCode: LotCode;
  agreementReference: string;
  status: OrderStatus;
  totalExclVat: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Order extends OrderSummary {
  supplier: { name: string; siret: string };
  budgetLabel: string | null;
  deliverySiteName: string | null;
  totalVat: number;
  totalInclVat: number;
  committedAmount: number;
  overrideReason: string | null;
  invoice: { number: string; amount: number; chorusInvoiceId: string; chorusEngagement: string | null } | null;
  lines: { id: string; itemReference: string; itemLabel: string; unit: string; quantity: number; deliveredQuantity: number; unitPriceExclVat: number; listPrice: number; totalExclVat: number }[];
  deliveries: { id: string; deliveredAt: string; recordedBy: string; note: string; lines: { orderLineId: string; quantity: number; serialNumbers: string[] }[] }[];
  timeline: { verb: string; at: string; actor: string; details: Record<string, unknown> }[];
}

export interface Budget {
  id: string;
  memberId: string;
  memberName: string;
  year: number;
  programme: string;
  amount: number;
  committed: number;
  consumed: number;
  available: number;
  usage: number;
  level: 'ok' | 'warning' | 'exceeded';
}

export interface SavingsRow {
  memberId: string;
  memberName: string;
  lotCode: LotCode;
  year: number;
  quantity: number;
  listAmount: number;
  paidAmount: number;
  soloAmount: number;
  savings: number;
  poolingGain: number;
}

export const PROCEDURES = ['Procédure adaptée', "Appel d'offres ouvert", "Appel d'offres restreint", 'Procédure avec négociation', 'Marché passé sans publicité ni mise en concurrence préalable', 'Dialogue compétitif'];
export const PRICE_FORMS = ['Unitaire', 'Forfaitaire', 'Mixte'];
export const PRICE_TYPES = ['Définitif ferme', 'Définitif actualisable', 'Définitif révisable', 'Provisoire'];

export interface Convention {
  id: string;
  reference: string;
  memberId: string;
  memberName: string;
  signedOn: string;
  lots: LotCode[];
  contactName: string;
  contactEmail: string;
}

export interface Site {
  id: string;
  name: string;
  memberId: string;
}
