import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { sql } from 'kysely';
import type * as Ocpp from 'ocpp-rpc';
import type { Db } from '../../platform/db/database.js';
import type { ChargingConfig } from '../../platform/config.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { AppError, schemaErrorDetails, validationFailed } from '../../platform/http/errors.js';
import { BulkWriter } from './bulk-writer.js';
import { sessionCost, type ChargingService, type Command } from './charging.service.js';
import type { ChargingMeterValuesTable, CommandStatus } from './charging.tables.js';
import { StationPasswordVerifier } from './station-credentials.js';

/** The path under which stations connect: /ocpp/{identity}. */
export const OCPP_PATH = '/ocpp';

/** Commands the central system sends to stations (OCPP 1.6 Core, Firmware, Local list, Reservation, Smart charging, Remote trigger). */
export const COMMANDS = [
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'Reset',
  'UnlockConnector',
  'ChangeAvailability',
  'GetConfiguration',
  'ChangeConfiguration',
  'ClearCache',
  'TriggerMessage',
  'UpdateFirmware',
  'GetDiagnostics',
  'SendLocalList',
  'GetLocalListVersion',
  'ReserveNow',
  'CancelReservation',
  'SetChargingProfile',
  'ClearChargingProfile',
  'GetCompositeSchedule',
] as const;
export type CommandAction = (typeof COMMANDS)[number];

// ocpp-rpc is CommonJS whose error classes are spread into its exports, which ESM named imports cannot see.
const require = createRequire(import.meta.url);
const { RPCServer, TimeoutError } = require('ocpp-rpc') as typeof Ocpp;

interface Validator {
  subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
}
// The official OCPP 1.6 JSON schemas as ocpp-rpc ships them: API payloads are checked before anything is sent.
const OCPP16 = (require('ocpp-rpc/lib/standard-validators.js') as Validator[]).find((v) => v.subprotocol === 'ocpp1.6')!;

// ocpp-rpc answers framing faults with OCPP 2.0.1 error codes; OCPP 1.6 names them differently.
const FRAMING_CODES_16: Record<string, string> = { RpcFrameworkError: 'FormationViolation', MessageTypeNotSupported: 'ProtocolError', FormatViolation: 'FormationViolation' };

/** Statuses a station answers when it does not do what was asked. */
const REFUSALS = new Set(['Rejected', 'NotSupported', 'NotImplemented', 'Faulted', 'Occupied', 'Unavailable', 'UnlockFailed', 'VersionMismatch', 'Failed']);

interface RpcClient {
  identity: string;
  session: { stationId: string; memberId: string };
  handle(method: string, handler: (call: { params: any }) => unknown): void;
  call(method: string, params: unknown, options?: { callTimeoutMs?: number }): Promise<unknown>;
  close(options?: { code?: number; reason?: string; force?: boolean }): Promise<unknown>;
  sendRaw(message: string): void;
  on(event: string, listener: (...args: any[]) => void): void;
}

type MeterRow = ChargingMeterValuesTable;

interface SampledValue {
  value: string;
  context?: string;
  measurand?: string;
  phase?: string;
  unit?: string;
}
interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

function meterRows(stationId: string, connectorId: number, transactionId: number | null, values: MeterValue[]): MeterRow[] {
  return values.flatMap((mv) =>
    mv.sampledValue
      .map((sv) => ({
        station_id: stationId,
        connector_id: connectorId,
        transaction_id: transactionId,
        at: new Date(mv.timestamp),
        measurand: sv.measurand ?? 'Energy.Active.Import.Register',
        phase: sv.phase ?? null,
        unit: sv.unit ?? (sv.measurand === undefined ? 'Wh' : null),
        context: sv.context ?? null,
        value: Number(sv.value),
      }))
      // Signed or otherwise non-numeric values (format SignedData) are not measurements we can aggregate.
      .filter((row) => Number.isFinite(row.value)),
  );
}

/**
 * One INSERT … SELECT FROM unnest of one array per column: nine parameters whatever the number of rows,
 * where a multi-row VALUES would bind nine per row (and the server would parse them all).
 */
async function insertMeterRows(db: Db, rows: MeterRow[]): Promise<void> {
  const column = <K extends keyof MeterRow>(key: K) => rows.map((r) => r[key]);
  await sql`insert into charging_meter_values (station_id, connector_id, transaction_id, at, measurand, phase, unit, context, value)
    select * from unnest(${column('station_id')}::uuid[], ${column('connector_id')}::int[], ${column('transaction_id')}::int[], ${column('at')}::timestamptz[],
      ${column('measurand')}::text[], ${column('phase')}::text[], ${column('unit')}::text[], ${column('context')}::text[], ${column('value')}::float8[])`.execute(db);
}

export interface CentralSystemOptions {
  log?: { warn(obj: object, msg: string): void };
}

/**
 * The OCPP 1.6J central system: accepts stations on the HTTP server's upgrade requests (Basic auth per
 * station), answers their calls and sends them commands. It keeps the live connections; everything
 * else is in the database, so a restart loses nothing but the sockets, which the stations reopen.
 */
export class CentralSystem {
  private readonly rpc: InstanceType<typeof RPCServer>;
  private readonly clients = new Map<string, RpcClient>();
  private readonly verifier = new StationPasswordVerifier();
  readonly meters: BulkWriter<MeterRow>;

  constructor(
    private readonly service: ChargingService,
    private readonly db: Db,
    private readonly config: ChargingConfig,
    private readonly options: CentralSystemOptions = {},
  ) {
    this.rpc = new RPCServer({
      protocols: ['ocpp1.6'],
      strictMode: true,
      callTimeoutMs: config.commandTimeoutSeconds * 1000,
      pingIntervalMs: 60_000,
      deferPingsOnActivity: true,
      respondWithDetailedErrors: false,
    });
    this.rpc.auth((accept, reject, handshake) => {
      this.authenticate(handshake.endpoint, handshake.identity, handshake.password).then(
        (session) => (session ? accept(session) : reject(401, 'Unauthorized')),
        () => reject(500, 'Internal Server Error'),
      );
    });
    this.rpc.on('client', (client: RpcClient) => this.attach(client));
    this.meters = new BulkWriter((rows) => insertMeterRows(this.db, rows));
    service.isOnline = (stationId) => this.clients.has(stationId);
  }

  /** For the HTTP server's 'upgrade' event: OCPP paths become stations' WebSockets, anything else is refused. */
  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(`${OCPP_PATH}/`) || path.split('/').length !== 3) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void this.rpc.handleUpgrade(request, socket as never, head);
  };

  get connectedCount(): number {
    return this.clients.size;
  }

  private async authenticate(endpoint: string, identity: string, password: Buffer | undefined) {
    if (endpoint !== OCPP_PATH || !identity) return undefined;
    const station = await this.service.findStationByIdentity(identity);
    if (!station) {
      if (!this.config.autoRegister) return undefined;
      const stationId = await this.service.registerPending(identity, password);
      const row = await this.service.findStationByIdentity(identity);
      return { stationId, memberId: row!.member_id };
    }
    if (!password || !(await this.verifier.verify(station.password_hash, password))) return undefined;
    return { stationId: station.id, memberId: station.member_id };
  }

  private async event(stationId: string, kind: string, detail: unknown) {
    await this.db.insertInto('charging_station_events').values({ station_id: stationId, kind, detail: JSON.stringify(detail) }).execute();
  }

  private attach(client: RpcClient) {
    const { stationId, memberId } = client.session;
    const previous = this.clients.get(stationId);
    this.clients.set(stationId, client);
    // The newest connection of an identity wins: the station restarted or its old socket is half-open.
    if (previous) void previous.close({ code: 1000, reason: 'Replaced by a new connection' });
    const sendRaw = client.sendRaw.bind(client);
    client.sendRaw = (message: string) => {
      if (message.startsWith('[4,')) {
        try {
          const frame = JSON.parse(message) as [number, string, string, string, unknown];
          const code = FRAMING_CODES_16[frame[2]];
          if (code) message = JSON.stringify([frame[0], frame[1], code, frame[3], frame[4]]);
        } catch {
          // Not ours to fix: send it as it is.
        }
      }
      sendRaw(message);
    };
    client.on('close', () => {
      if (this.clients.get(stationId) !== client) return;
      this.clients.delete(stationId);
      void this.event(stationId, 'disconnected', {})
        .then(() => this.service.bus.publish({ topic: 'charging.charging_station.offline', memberId, data: { stationId } }))
        .catch((error: unknown) => this.options.log?.warn({ err: error, stationId }, 'OCPP: disconnection not recorded'));
    });
    void this.event(stationId, 'connected', { replaced: Boolean(previous) })
      .then(() => this.service.bus.publish({ topic: 'charging.charging_station.online', memberId, data: { stationId } }))
      .catch((error: unknown) => this.options.log?.warn({ err: error, stationId }, 'OCPP: connection not recorded'));
    this.handlers(client, stationId, memberId);
  }

  private handlers(client: RpcClient, stationId: string, memberId: string) {
    const now = () => new Date().toISOString();

    client.handle('BootNotification', async ({ params }) => {
      const row = await this.db
        .updateTable('charging_stations')
        .set({
          vendor: params.chargePointVendor,
          model: params.chargePointModel,
          serial_number: params.chargePointSerialNumber ?? params.chargeBoxSerialNumber ?? null,
          firmware_version: params.firmwareVersion ?? null,
          last_boot_at: new Date(),
          last_seen_at: new Date(),
        })
        .where('id', '=', stationId)
        .returning('registration')
        .executeTakeFirstOrThrow();
      await this.event(stationId, 'boot', params);
      return { status: row.registration === 'accepted' ? 'Accepted' : 'Pending', currentTime: now(), interval: this.config.heartbeatSeconds };
    });

    client.handle('Heartbeat', async () => {
      await this.db.updateTable('charging_stations').set({ last_seen_at: new Date() }).where('id', '=', stationId).execute();
      return { currentTime: now() };
    });

    client.handle('StatusNotification', async ({ params }) => {
      const at = params.timestamp ? new Date(params.timestamp) : new Date();
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('charging_status_history')
          .values({ station_id: stationId, connector_id: params.connectorId, status: params.status, error_code: params.errorCode, info: params.info ?? params.vendorErrorCode ?? null, at })
          .execute();
        // A notification queued while offline may arrive after a newer one: the current state is the latest timestamp.
        await trx
          .updateTable('charging_points')
          .set({ status: params.status, error_code: params.errorCode, status_at: at })
          .where('station_id', '=', stationId)
          .where('connector_id', '=', params.connectorId)
          .where((eb) => eb.or([eb('status_at', 'is', null), eb('status_at', '<=', at)]))
          .execute();
      });
      await this.service.bus.publish({
        topic: 'charging.charging_station.status',
        memberId,
        data: { stationId, connectorId: params.connectorId, status: params.status, errorCode: params.errorCode, at: at.toISOString() },
      });
      return {};
    });

    client.handle('Authorize', async ({ params }) => ({ idTagInfo: await this.service.idTagInfo(params.idTag) }));

    client.handle('StartTransaction', async ({ params }) => {
      const startedAt = new Date(params.timestamp);
      const idTagInfo = await this.service.idTagInfo(params.idTag, startedAt);
      const key = { station_id: stationId, connector_id: params.connectorId as number, id_tag: params.idTag as string, started_at: startedAt, meter_start: params.meterStart as number };
      await this.db
        .insertInto('charging_sessions')
        .values({ id: randomUUID(), ...key, member_id: memberId, auth_status: idTagInfo.status, reservation_id: params.reservationId ?? null })
        // A retried StartTransaction (the station got no answer) is the session already recorded.
        .onConflict((oc) => oc.columns(['station_id', 'connector_id', 'id_tag', 'started_at', 'meter_start']).doNothing())
        .execute();
      const session = await this.db
        .selectFrom('charging_sessions')
        .select(['id', 'transaction_id'])
        .where('station_id', '=', key.station_id)
        .where('connector_id', '=', key.connector_id)
        .where('id_tag', '=', key.id_tag)
        .where('started_at', '=', key.started_at)
        .where('meter_start', '=', key.meter_start)
        .executeTakeFirstOrThrow();
      await this.service.bus.publish({
        topic: 'charging.charging_session.started',
        memberId,
        data: { id: session.id, stationId, connectorId: params.connectorId, transactionId: session.transaction_id, idTag: params.idTag },
      });
      return { transactionId: session.transaction_id, idTagInfo };
    });

    client.handle('StopTransaction', async ({ params }) => {
      const stoppedAt = new Date(params.timestamp);
      const session = await this.db
        .selectFrom('charging_sessions as x')
        .innerJoin('charging_stations as s', 's.id', 'x.station_id')
        .select(['x.id', 'x.connector_id', 'x.meter_start', 'x.started_at', 'x.stopped_at', 's.tariff_kwh', 's.tariff_minute', 's.tariff_fixed'])
        .where('x.station_id', '=', stationId)
        .where('x.transaction_id', '=', params.transactionId)
        .executeTakeFirst();
      const idTagInfo = params.idTag ? await this.service.idTagInfo(params.idTag, stoppedAt) : undefined;
      const rows = meterRows(stationId, session?.connector_id ?? 0, params.transactionId, params.transactionData ?? []);
      if (!session) {
        // The station's record wins over ours: accept it so that it can empty its queue, and flag it for review.
        await this.meters.add(rows);
        await this.event(stationId, 'anomaly', { kind: 'unknown_transaction', transactionId: params.transactionId, meterStop: params.meterStop, timestamp: params.timestamp, idTag: params.idTag ?? null, reason: params.reason ?? null });
        return idTagInfo ? { idTagInfo } : {};
      }
      if (session.stopped_at === null) {
        const energy = Math.max(0, params.meterStop - Number(session.meter_start));
        const minutes = Math.max(0, (stoppedAt.getTime() - session.started_at.getTime()) / 60_000);
        const cost = sessionCost({ perKwh: Number(session.tariff_kwh), perMinute: Number(session.tariff_minute), fixedFee: Number(session.tariff_fixed) }, energy, minutes);
        await this.meters.add(rows);
        await this.db
          .updateTable('charging_sessions')
          .set({ meter_stop: params.meterStop, stopped_at: stoppedAt, stop_reason: params.reason ?? 'Local', energy_wh: energy, cost })
          .where('id', '=', session.id)
          .where('stopped_at', 'is', null)
          .execute();
        await this.service.bus.publish({
          topic: 'charging.charging_session.stopped',
          memberId,
          data: { id: session.id, stationId, connectorId: session.connector_id, transactionId: params.transactionId, energyWh: energy, cost },
        });
      }
      return idTagInfo ? { idTagInfo } : {};
    });

    client.handle('MeterValues', async ({ params }) => {
      await this.meters.add(meterRows(stationId, params.connectorId, params.transactionId ?? null, params.meterValue));
      return {};
    });

    client.handle('DataTransfer', async ({ params }) => {
      await this.event(stationId, 'data_transfer', params);
      return { status: 'Accepted' };
    });

    client.handle('DiagnosticsStatusNotification', async ({ params }) => {
      await this.db.updateTable('charging_stations').set({ diagnostics_status: params.status }).where('id', '=', stationId).execute();
      await this.event(stationId, 'diagnostics_status', params);
      return {};
    });

    client.handle('FirmwareStatusNotification', async ({ params }) => {
      await this.db.updateTable('charging_stations').set({ firmware_status: params.status }).where('id', '=', stationId).execute();
      await this.event(stationId, 'firmware_status', params);
      return {};
    });
  }

  /**
   * Sends a command to a station and records it with its outcome. Throws 409 when the station is not
   * connected, 504 when it does not answer in time, 502 when it answers with an OCPP error.
   */
  async send(actor: AuditActor, stationId: string, action: CommandAction, payload: Record<string, unknown>): Promise<Command> {
    try {
      OCPP16.validate(`urn:${action}.req`, payload);
    } catch (error) {
      const errors = (error as { details?: { errors?: unknown[] } }).details?.errors;
      throw validationFailed(errors?.length ? schemaErrorDetails(errors as never, 'body/payload') : [{ field: '/body/payload', message: `refusé par le schéma OCPP 1.6 de ${action}` }]);
    }
    const station = await this.service.getStation(stationId);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('charging_commands')
        .values({ id, station_id: stationId, member_id: station.memberId, action, payload: JSON.stringify(payload), status: 'sent', response: null, error: null, requested_by: actor.label })
        .execute();
      await appendAudit(trx, { actor, action: `charging.command.${action}`, entityType: 'charging_station', entityId: stationId, memberId: station.memberId, summary: { command: id, payload } });
    });
    const finish = async (status: CommandStatus, response: unknown, error: string | null) => {
      await this.db
        .updateTable('charging_commands')
        .set({ status, response: response === null ? null : JSON.stringify(response), error, answered_at: status === 'offline' ? null : new Date() })
        .where('id', '=', id)
        .execute();
      const command = (await this.service.listCommands(stationId, { page: 1, pageSize: 200 })).items.find((c) => c.id === id)!;
      await this.service.bus.publish({ topic: 'charging.charging_command.completed', memberId: station.memberId, data: command });
      return command;
    };

    const client = this.clients.get(stationId);
    if (!client) {
      await finish('offline', null, 'borne hors ligne');
      throw new AppError(409, 'station_offline', `Borne hors ligne : la commande ${action} n’a pas été envoyée à ${station.name}.`);
    }
    let response: unknown;
    try {
      response = await client.call(action, payload);
    } catch (error) {
      if (error instanceof TimeoutError) {
        await finish('timeout', null, `pas de réponse en ${this.config.commandTimeoutSeconds} s`);
        throw new AppError(504, 'station_timeout', `La borne ${station.name} n’a pas répondu à ${action} en ${this.config.commandTimeoutSeconds} s.`);
      }
      const rpc = error as { rpcErrorCode?: string; message?: string };
      const detail = rpc.rpcErrorCode ? `${rpc.rpcErrorCode} : ${rpc.message ?? ''}` : (rpc.message ?? String(error));
      await finish('failed', null, detail);
      throw new AppError(502, 'station_error', `La borne ${station.name} a répondu à ${action} par une erreur : ${detail}`);
    }
    if (action === 'GetConfiguration') {
      await this.db.updateTable('charging_stations').set({ configuration: JSON.stringify(response), configuration_at: new Date() }).where('id', '=', stationId).execute();
    }
    const status = (response as { status?: string }).status;
    return finish(status && REFUSALS.has(status) ? 'rejected' : 'answered', response, null);
  }

  /** Stops accepting stations, closes their sockets and writes the meter values still queued. */
  async close(): Promise<void> {
    await this.rpc.close({ code: 1001, reason: 'Server shutting down', force: false, awaitPending: true });
    await this.meters.flush();
  }
}
