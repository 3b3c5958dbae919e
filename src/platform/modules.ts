import type { MigrationSet } from './db/migrations.js';
import { auditMigrations } from './audit/audit.migrations.js';
import { accountsMigrations } from './auth/accounts.migrations.js';
import { territoryMigrations } from '../modules/territory/index.js';
import { fibreMigrations } from '../modules/fibre/index.js';
import { purchasingMigrations } from '../modules/purchasing/index.js';
import { educationMigrations } from '../modules/education/index.js';
import { chargingMigrations } from '../modules/charging/index.js';
import { securityMigrations } from '../modules/security/index.js';
import { evidenceMigrations } from '../modules/evidence/index.js';

/** Every module's migrations; their names give the order in which they run. */
export const ALL_MIGRATIONS: MigrationSet[] = [territoryMigrations, auditMigrations, accountsMigrations, fibreMigrations, purchasingMigrations, educationMigrations, chargingMigrations, securityMigrations, evidenceMigrations];
