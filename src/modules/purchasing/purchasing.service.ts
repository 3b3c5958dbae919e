import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { CatalogueService } from './catalogue.service.js';
import { OrderService } from './orders.service.js';
import { decpExport } from './decp.js';

/** The purchasing centre: agreements and catalogue on one side, members' orders and budgets on the other. */
export class PurchasingService {
  readonly catalogue: CatalogueService;
  readonly orders: OrderService;

  constructor(
    private readonly db: Db,
    bus: EventBus,
    private readonly buyerSiret: string,
  ) {
    this.catalogue = new CatalogueService(db, bus);
    this.orders = new OrderService(db, bus, this.catalogue);
  }

  decp() {
    return decpExport(this.db, this.buyerSiret);
  }
}
