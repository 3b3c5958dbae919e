import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import type { ChargingConfig } from '../../platform/config.js';
import type { TerritoryService } from '../territory/index.js';
import { ChargingService } from './charging.service.js';
import { CentralSystem } from './central-system.js';
import { ChargingIndicators } from './indicators.js';

export { chargingMigrations } from './charging.migrations.js';
export { chargingRoutes, irveOpenDataRoutes } from './charging.routes.js';
export { ChargingService, type Station, type Session, type Badge, type Command } from './charging.service.js';
export { CentralSystem, COMMANDS, OCPP_PATH, type CommandAction } from './central-system.js';
export { loadChargingDemo, DEMO_OCPP_PASSWORD } from './charging-demo.js';
export { runSimulation, type SimulationOptions, type SimulationReport } from './simulator.js';

/** The charging module's running parts: the registry service, the OCPP central system and the indicators. */
export interface Charging {
  service: ChargingService;
  central: CentralSystem;
  indicators: ChargingIndicators;
}

export function openCharging(db: Db, bus: EventBus, territory: TerritoryService, config: ChargingConfig, log?: { warn(obj: object, msg: string): void }): Charging {
  const service = new ChargingService(db, bus, territory, config);
  return { service, central: new CentralSystem(service, db, config, log ? { log } : {}), indicators: new ChargingIndicators(db) };
}
