export { purchasingMigrations } from './purchasing.migrations.js';
export { purchasingRoutes } from './purchasing.routes.js';
export { PurchasingService } from './purchasing.service.js';
export type { OrderDeliveredEvent, Order, OrderSummary, Budget, SavingsRow } from './orders.service.js';
export type { Agreement, Item, Convention, ImportReport } from './catalogue.service.js';
export { LOT_CODES, ASSET_TYPES, ORDER_STATUSES, type LotCode, type OrderStatus } from './purchasing.tables.js';
export { loadPurchasingDemo } from './purchasing-demo.js';
