import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import { InProcessEventBus, type EventBus } from './bus/event-bus.js';
import { AccountsService } from './auth/accounts.service.js';
import { ALL_MIGRATIONS } from './modules.js';
import { TerritoryService } from '../modules/territory/index.js';
import { FibreService } from '../modules/fibre/index.js';
import { PurchasingService } from '../modules/purchasing/index.js';
import { EducationService } from '../modules/education/index.js';
import { openCharging, type Charging } from '../modules/charging/index.js';
import { SecurityService } from '../modules/security/index.js';
import { EvidenceService, loadSigningKey, type SigningKey } from '../modules/evidence/index.js';

/** The running parts of Mutualis, shared by the HTTP server, the CLI and the tests. */
export interface Platform {
  config: Config;
  database: Database;
  bus: EventBus;
  territory: TerritoryService;
  fibre: FibreService;
  purchasing: PurchasingService;
  education: EducationService;
  charging: Charging;
  security: SecurityService;
  evidence: EvidenceService;
  accounts: AccountsService;
  /** Migrations applied while opening. */
  applied: string[];
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Keep the embedded database in memory instead of DATA_DIR (tests). */
  inMemory?: boolean;
  /** With inMemory: start from this dump of an embedded database instead of an empty one. */
  snapshot?: Blob;
  poolSize?: number;
  onBusError?: (error: unknown) => void;
}

export async function openPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: options.inMemory ? undefined : config.dataDir,
    snapshot: options.inMemory ? options.snapshot : undefined,
    ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
  });
  try {
    const applied = await migrateToLatest(database.db, ALL_MIGRATIONS);
    const bus = new InProcessEventBus(options.onBusError);
    const territory = new TerritoryService(database.db, bus);
    const accounts = new AccountsService(database.db, territory.directory);
    const security = new SecurityService(database.db, bus, {
      mqtt: {
        url: config.mqttUrl,
        port: config.mqttPort,
        host: config.host,
        clientId: config.mqttClientId,
        prefixes: { frigate: config.frigateTopicPrefix, devices: config.deviceTopicPrefix },
      },
    });
    await security.init();
    // Loaded when first used, so that CLI commands that sign nothing never make a key. In-memory platforms
    // (tests) sign with a key of their own unless one is given, and never write one to disk.
    let key: SigningKey | undefined;
    const signingKey = () =>
      (key ??= options.inMemory ? loadSigningKey(config.evidence.signingKeyGiven ? config.evidence.signingKeyFile : undefined, false) : loadSigningKey(config.evidence.signingKeyFile, true));
    const evidence = new EvidenceService(database.db, security.devices, config.evidence, signingKey);
    return {
      config,
      database,
      bus,
      territory,
      fibre: new FibreService(database, bus, territory),
      purchasing: new PurchasingService(database.db, bus, config.smoSiret),
      education: new EducationService(database, bus, territory, config.educationRetentionMonths),
      charging: openCharging(database.db, bus, territory, config.charging),
      accounts,
      security,
      evidence,
      applied,
      async close() {
        evidence.stop();
        await security.stop();
        await bus.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
