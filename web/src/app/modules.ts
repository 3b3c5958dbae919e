import type { ConsoleModule } from './module';
import { territoryModule } from '../modules/territory';
import { adminModule } from '../modules/admin';
import { fibreModule } from '../modules/fibre';
import { purchasingModule } from '../modules/purchasing';
import { educationModule } from '../modules/education';
import { chargingModule } from '../modules/charging';
import { securityModule } from '../modules/security';
import { evidenceModule } from '../modules/evidence';

/** The console's modules, in navigation order. A new module adds itself here. */
export const MODULES: ConsoleModule[] = [territoryModule, fibreModule, purchasingModule, educationModule, chargingModule, securityModule, evidenceModule, adminModule];
