import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/database.js';
import type { EvidenceConfig } from '../../platform/config.js';
import type { DevicesService } from '../security/index.js';
import { AuthorisationsService } from './authorisations.js';
import { PackagesService } from './packages.js';
import { RecordingsService } from './recordings.js';
import { RegisterService } from './register.js';
import { RequisitionsService } from './requisitions.js';
import { RetentionJob } from './retention.js';
import type { SigningKey } from './signing-key.js';

/** The evidence module's running parts; `start` (the server) adds the recordings scan and the retention job. */
export class EvidenceService {
  readonly authorisations: AuthorisationsService;
  readonly recordings: RecordingsService;
  readonly requisitions: RequisitionsService;
  readonly packages: PackagesService;
  readonly retention: RetentionJob;
  readonly register: RegisterService;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    db: Db,
    devices: DevicesService,
    private readonly config: EvidenceConfig,
    private readonly signingKey: () => SigningKey,
  ) {
    this.authorisations = new AuthorisationsService(db);
    this.recordings = new RecordingsService(db, devices, config.recordingsDir);
    this.requisitions = new RequisitionsService(db, devices);
    this.packages = new PackagesService(db, this.recordings, this.requisitions, this.authorisations, signingKey, path.join(config.packagesDir, 'packages'));
    this.retention = new RetentionJob(db, this.recordings);
    this.register = new RegisterService(db);
  }

  get key(): SigningKey {
    return this.signingKey();
  }

  async start(log: Pick<Logger, 'info' | 'warn' | 'error'>): Promise<void> {
    // A key that cannot be read or made stops the start here rather than at the first extraction.
    this.signingKey();
    await this.packages.recover();
    const every = (ms: number, name: string, task: () => Promise<unknown>) => {
      let running = false;
      const tick = () => {
        if (running) return;
        running = true;
        task()
          .catch((error: unknown) => log.error({ err: error }, `evidence: ${name} failed`))
          .finally(() => (running = false));
      };
      const timer = setInterval(tick, ms);
      timer.unref();
      this.timers.push(timer);
      tick();
    };
    every(this.config.scanIntervalSeconds * 1000, 'recordings scan', async () => {
      // Yesterday's folder too: segments written just before midnight are indexed after it.
      const report = await this.recordings.scan(10_000, Date.now(), new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
      if (report.indexed || report.rejected.length) log.info({ indexed: report.indexed, rejected: report.rejected.slice(0, 20) }, 'evidence: recordings indexed');
    });
    every(this.config.retentionIntervalMinutes * 60_000, 'retention', async () => {
      const report = await this.retention.run();
      if (report.deleted || report.errors.length) log.info(report, 'evidence: expired recordings deleted');
    });
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
