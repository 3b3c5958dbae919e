import type { Logger } from 'pino';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { offsetOf, type PageRequest } from '../../platform/http/pagination.js';
import { AlarmsService } from './alarms.service.js';
import { DevicesService } from './devices.service.js';
import { IngestService } from './ingest.service.js';
import { MqttLink, type MqttOptions, type MqttState } from './mqtt-link.js';
import { RuleEngine } from './rule-engine.js';
import { RulesService } from './rules.service.js';
import { StudiesService } from './studies.js';

export interface SecurityOptions {
  mqtt: MqttOptions;
  /** How often alarms past their deadline are escalated. */
  escalationCheckMs?: number;
}

const QUIET = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The security module's running parts. Opening the platform gives the services; `start` (the server,
 * not the CLI) connects the device bus and the escalation timer.
 */
export class SecurityService {
  readonly devices: DevicesService;
  readonly alarms: AlarmsService;
  readonly rules: RulesService;
  readonly ingest: IngestService;
  readonly studies: StudiesService;
  readonly engine = new RuleEngine();
  private link: MqttLink | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    bus: EventBus,
    private readonly options: SecurityOptions,
  ) {
    this.devices = new DevicesService(db, bus);
    this.alarms = new AlarmsService(db, bus);
    this.rules = new RulesService(db, (rules) => this.engine.setRules(rules));
    this.ingest = new IngestService(db, bus, this.engine, options.mqtt.prefixes, QUIET);
    this.studies = new StudiesService(db);
  }

  /** Loads the rules into the engine; the platform calls it when it opens. */
  async init(): Promise<void> {
    await this.rules.reload();
  }

  async start(log: Pick<Logger, 'info' | 'warn' | 'error'>, overrides: Partial<MqttOptions> = {}): Promise<void> {
    this.ingest.log = log;
    await this.rules.reload();
    await this.ingest.warmUp();
    this.link = new MqttLink({ ...this.options.mqtt, ...overrides }, this.ingest, log);
    await this.link.start();
    this.timer = setInterval(() => {
      this.alarms.escalate().catch((error: unknown) => log.error({ err: error }, 'security: escalation check failed'));
    }, this.options.escalationCheckMs ?? 15_000);
    this.timer.unref();
  }

  /** Connected and subscribed to the broker (tests, simulator). */
  ready(): Promise<void> {
    return this.link ? this.link.ready() : Promise.reject(new Error('security ingestion not started'));
  }

  /** For /api/health: null when ingestion was not started (CLI, tests without a broker). */
  mqttState(): MqttState | null {
    return this.link ? { ...this.link.state } : null;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.link?.stop();
    this.link = undefined;
    await this.ingest.stop();
  }

  async siteOf(siteId: string) {
    return this.db.selectFrom('sites').select(['id', 'name', 'longitude', 'latitude']).where('id', '=', siteId).executeTakeFirstOrThrow();
  }

  async deadLetters(filter: PageRequest) {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('security_dead_letters').selectAll().orderBy('id', 'desc').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      this.db.selectFrom('security_dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({ id: Number(r.id), receivedAt: r.received_at.toISOString(), source: r.source, topic: r.topic, payload: r.payload, reason: r.reason })),
      total: Number(count.n),
      page: filter.page,
      pageSize: filter.pageSize,
    };
  }
}
