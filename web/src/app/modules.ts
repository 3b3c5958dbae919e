import type { ConsoleModule } from './module';
import { territoryModule } from '../modules/territory';
import { adminModule } from '../modules/admin';
import { fibreModule } from '../modules/fibre';
import { securityModule } from '../modules/security';

/** The console's modules, in navigation order. A new module adds itself here. */
export const MODULES: ConsoleModule[] = [territoryModule, fibreModule, securityModule, adminModule];
