import { createRequire } from 'node:module';
import type * as Ocpp from 'ocpp-rpc';

const { RPCClient } = createRequire(import.meta.url)('ocpp-rpc') as typeof Ocpp;

export interface SimulatedStationOptions {
  /** Server base URL, e.g. ws://127.0.0.1:8080 (the /ocpp/{identity} path is added). */
  url: string;
  identity: string;
  password: string;
  connectors?: number;
  /** Power drawn while charging, in W. */
  powerW?: number;
  /** Time between two MeterValues while charging, in ms. */
  meterIntervalMs?: number;
  /** Lets the TLS test trust its self-signed certificate. */
  ca?: string | Buffer;
  log?: (line: string) => void;
}

interface Transaction {
  transactionId: number;
  idTag: string;
  timer: NodeJS.Timeout;
  stopped: Promise<void>;
  stop: (reason: string) => void;
}

const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A charging station speaking OCPP 1.6J over a real WebSocket, for the demo, the tests and the
 * benchmark: it boots, reports its connectors, charges with meter values and answers the central
 * system's commands as a compliant station would.
 */
export class SimulatedStation {
  readonly client: InstanceType<typeof RPCClient>;
  readonly meters: number[];
  readonly transactions = new Map<number, Transaction>();
  readonly configuration = new Map<string, string>([
    ['HeartbeatInterval', '300'],
    ['MeterValueSampleInterval', '60'],
    ['NumberOfConnectors', '2'],
    ['AuthorizeRemoteTxRequests', 'true'],
  ]);
  private localListVersion = 0;
  bootStatus: string | undefined;

  constructor(private readonly options: SimulatedStationOptions) {
    this.meters = Array.from({ length: (options.connectors ?? 2) + 1 }, () => Math.round(Math.random() * 1_000_000));
    this.client = new RPCClient({
      endpoint: `${options.url.replace(/\/$/, '')}/ocpp`,
      identity: options.identity,
      password: options.password,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: false,
      callTimeoutMs: 30_000,
      ...(options.ca && { wsOpts: { ca: options.ca } }),
      // The package's typings declare every option as required; it fills the defaults itself.
    } as never);
    this.answerCommands();
  }

  get connectors() {
    return this.meters.length - 1;
  }

  private log(line: string) {
    this.options.log?.(`${this.options.identity}: ${line}`);
  }

  async boot(): Promise<string> {
    await this.client.connect();
    const answer = (await this.client.call('BootNotification', {
      chargePointVendor: 'Mutualis',
      chargePointModel: 'SIM-22-2',
      chargePointSerialNumber: `SIM-${this.options.identity}`,
      firmwareVersion: '1.0.0',
    })) as { status: string };
    this.bootStatus = answer.status;
    if (answer.status === 'Accepted') {
      for (let c = 0; c <= this.connectors; c += 1) await this.status(c, 'Available');
    }
    this.log(`boot ${answer.status}`);
    return answer.status;
  }

  status(connectorId: number, status: string, errorCode = 'NoError') {
    return this.client.call('StatusNotification', { connectorId, errorCode, status, timestamp: now() });
  }

  heartbeat() {
    return this.client.call('Heartbeat', {});
  }

  /** Starts a session on a connector; the returned transaction sends meter values until stopped. */
  async startCharging(connectorId: number, idTag: string): Promise<Transaction | undefined> {
    const auth = (await this.client.call('Authorize', { idTag })) as { idTagInfo: { status: string } };
    if (auth.idTagInfo.status !== 'Accepted') {
      this.log(`badge ${idTag} refused: ${auth.idTagInfo.status}`);
      return undefined;
    }
    await this.status(connectorId, 'Preparing');
    const started = (await this.client.call('StartTransaction', { connectorId, idTag, meterStart: Math.round(this.meters[connectorId]!), timestamp: now() })) as {
      transactionId: number;
      idTagInfo: { status: string };
    };
    const { transactionId } = started;
    const interval = this.options.meterIntervalMs ?? 60_000;
    const power = this.options.powerW ?? 11_000;
    let resolveStopped!: () => void;
    const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
    const timer = setInterval(() => {
      this.meters[connectorId]! += (power * interval) / 3_600_000;
      this.client
        .call('MeterValues', {
          connectorId,
          transactionId,
          meterValue: [
            {
              timestamp: now(),
              sampledValue: [
                { value: String(Math.round(this.meters[connectorId]!)), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
                { value: String(power), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
                { value: (power / 230 / 3).toFixed(1), measurand: 'Current.Import', unit: 'A', phase: 'L1', context: 'Sample.Periodic' },
                { value: String(Math.min(100, 20 + Math.round(Math.random() * 60))), measurand: 'SoC', unit: 'Percent', context: 'Sample.Periodic' },
              ],
            },
          ],
        })
        .catch(() => {});
    }, interval);
    const transaction: Transaction = {
      transactionId,
      idTag,
      timer,
      stopped,
      stop: (reason) => {
        clearInterval(timer);
        this.transactions.delete(transactionId);
        void (async () => {
          await this.client.call('StopTransaction', { transactionId, idTag, meterStop: Math.round(this.meters[connectorId]!), timestamp: now(), reason });
          await this.status(connectorId, 'Finishing');
          await this.status(connectorId, 'Available');
        })()
          .catch(() => {})
          .finally(resolveStopped);
      },
    };
    // Known before the next message: a RemoteStopTransaction may follow the start's answer at once.
    this.transactions.set(transactionId, transaction);
    await this.status(connectorId, 'Charging');
    this.log(`session ${transactionId} started on connector ${connectorId} with ${idTag}`);
    return transaction;
  }

  /** Runs one whole session: start, meter values for `durationMs`, stop. */
  async chargeFor(connectorId: number, idTag: string, durationMs: number): Promise<number | undefined> {
    const transaction = await this.startCharging(connectorId, idTag);
    if (!transaction) return undefined;
    await sleep(durationMs);
    transaction.stop('Local');
    await transaction.stopped;
    return transaction.transactionId;
  }

  private answerCommands() {
    const c = this.client as unknown as { handle(method: string, handler: (call: { params: any }) => unknown): void };
    c.handle('RemoteStartTransaction', ({ params }: { params: { connectorId?: number; idTag: string } }) => {
      const connectorId = params.connectorId ?? 1;
      if ([...this.transactions.values()].length >= this.connectors) return { status: 'Rejected' };
      setImmediate(() => void this.startCharging(connectorId, params.idTag).catch(() => {}));
      return { status: 'Accepted' };
    });
    c.handle('RemoteStopTransaction', ({ params }: { params: { transactionId: number } }) => {
      const transaction = this.transactions.get(params.transactionId);
      if (!transaction) return { status: 'Rejected' };
      setImmediate(() => transaction.stop('Remote'));
      return { status: 'Accepted' };
    });
    c.handle('Reset', () => ({ status: 'Accepted' }));
    c.handle('UnlockConnector', () => ({ status: 'Unlocked' }));
    c.handle('ChangeAvailability', ({ params }: { params: { connectorId: number; type: string } }) => {
      setImmediate(() => void this.status(params.connectorId, params.type === 'Inoperative' ? 'Unavailable' : 'Available').catch(() => {}));
      return { status: 'Accepted' };
    });
    c.handle('GetConfiguration', ({ params }: { params: { key?: string[] } }) => {
      const keys = params.key?.length ? params.key : [...this.configuration.keys()];
      return {
        configurationKey: keys.filter((k) => this.configuration.has(k)).map((key) => ({ key, readonly: key === 'NumberOfConnectors', value: this.configuration.get(key) })),
        unknownKey: keys.filter((k) => !this.configuration.has(k)),
      };
    });
    c.handle('ChangeConfiguration', ({ params }: { params: { key: string; value: string } }) => {
      if (!this.configuration.has(params.key)) return { status: 'NotSupported' };
      if (params.key === 'NumberOfConnectors') return { status: 'Rejected' };
      this.configuration.set(params.key, params.value);
      return { status: 'Accepted' };
    });
    c.handle('ClearCache', () => ({ status: 'Accepted' }));
    c.handle('TriggerMessage', ({ params }: { params: { requestedMessage: string; connectorId?: number } }) => {
      const send: Record<string, () => Promise<unknown>> = {
        Heartbeat: () => this.heartbeat(),
        StatusNotification: () => this.status(params.connectorId ?? 0, 'Available'),
        BootNotification: () => this.client.call('BootNotification', { chargePointVendor: 'Mutualis', chargePointModel: 'SIM-22-2' }),
        FirmwareStatusNotification: () => this.client.call('FirmwareStatusNotification', { status: 'Idle' }),
        DiagnosticsStatusNotification: () => this.client.call('DiagnosticsStatusNotification', { status: 'Idle' }),
      };
      const action = send[params.requestedMessage];
      if (!action) return { status: 'NotImplemented' };
      setImmediate(() => void action().catch(() => {}));
      return { status: 'Accepted' };
    });
    c.handle('UpdateFirmware', () => {
      setImmediate(() => void (async () => {
        for (const status of ['Downloading', 'Downloaded', 'Installing', 'Installed']) await this.client.call('FirmwareStatusNotification', { status });
      })().catch(() => {}));
      return {};
    });
    c.handle('GetDiagnostics', () => {
      setImmediate(() => void (async () => {
        for (const status of ['Uploading', 'Uploaded']) await this.client.call('DiagnosticsStatusNotification', { status });
      })().catch(() => {}));
      return { fileName: `diagnostics-${this.options.identity}.log` };
    });
    c.handle('SendLocalList', ({ params }: { params: { listVersion: number } }) => {
      this.localListVersion = params.listVersion;
      return { status: 'Accepted' };
    });
    c.handle('GetLocalListVersion', () => ({ listVersion: this.localListVersion }));
    c.handle('ReserveNow', () => ({ status: 'Accepted' }));
    c.handle('CancelReservation', () => ({ status: 'Accepted' }));
    c.handle('SetChargingProfile', () => ({ status: 'Accepted' }));
    c.handle('ClearChargingProfile', () => ({ status: 'Accepted' }));
    c.handle('GetCompositeSchedule', ({ params }: { params: { connectorId: number; duration: number } }) => ({
      status: 'Accepted',
      connectorId: params.connectorId,
      scheduleStart: now(),
      chargingSchedule: { duration: params.duration, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 22_000 }] },
    }));
  }

  async close(): Promise<void> {
    for (const t of this.transactions.values()) clearInterval(t.timer);
    await this.client.close({ code: 1000, reason: 'Simulation over' });
  }
}

export interface SimulationOptions {
  url: string;
  stations: { identity: string; password: string }[];
  idTags: string[];
  durationSeconds: number;
  /** Length of each session, in seconds. */
  sessionSeconds?: number;
  meterIntervalSeconds?: number;
  ca?: string | Buffer;
  log?: (line: string) => void;
}

export interface SimulationReport {
  stations: number;
  accepted: number;
  sessions: number;
  refused: number;
}

/**
 * Connects the stations, then each charges on its connectors in turn with the given badges until the
 * duration is over; ends every session before closing.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const report: SimulationReport = { stations: options.stations.length, accepted: 0, sessions: 0, refused: 0 };
  const stations = options.stations.map(
    (s) =>
      new SimulatedStation({
        url: options.url,
        identity: s.identity,
        password: s.password,
        meterIntervalMs: (options.meterIntervalSeconds ?? 5) * 1000,
        ...(options.ca && { ca: options.ca }),
        ...(options.log && { log: options.log }),
      }),
  );
  const end = Date.now() + options.durationSeconds * 1000;
  const sessionMs = Math.max(100, (options.sessionSeconds ?? Math.min(30, options.durationSeconds / 2)) * 1000);
  let tag = 0;
  try {
    await Promise.all(
      stations.map(async (station, i) => {
        try {
          if ((await station.boot()) !== 'Accepted') return;
        } catch (error) {
          options.log?.(`${options.stations[i]!.identity}: connection refused (${error instanceof Error ? error.message : String(error)})`);
          return;
        }
        report.accepted += 1;
        await Promise.all(
          Array.from({ length: station.connectors }, async (_, c) => {
            while (Date.now() + sessionMs <= end) {
              const idTag = options.idTags[tag++ % options.idTags.length]!;
              const id = await station.chargeFor(c + 1, idTag, sessionMs);
              if (id === undefined) {
                report.refused += 1;
                await sleep(Math.min(1000, sessionMs));
              } else report.sessions += 1;
            }
          }),
        );
      }),
    );
  } finally {
    await Promise.all(stations.map((s) => s.close().catch(() => {})));
  }
  return report;
}
