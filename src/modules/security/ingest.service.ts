import type { Logger } from 'pino';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { readGenericEvent, readMessage, TAMPER_TYPES, type DeviceRef, type IncomingEvent, type Parsed, type TopicPrefixes } from './event-formats.js';
import { RuleEngine, type EngineEvent, type OpenAlarm } from './rule-engine.js';
import { OPEN_STATES, type DeviceStatus } from './security.tables.js';
import { typeLabel } from './labels.js';

/** A raw message waiting to be stored. */
export interface RawMessage {
  source: 'mqtt' | 'http';
  topic: string | null;
  payload: Buffer | string;
  /** Already read (HTTP), or read from topic and payload (MQTT). */
  parsed?: Parsed;
}

export interface StoreOutcome {
  outcome: 'stored' | 'duplicate' | 'status' | 'ignored' | 'dead';
  reason?: string;
  alarmId?: string | null;
}

interface DeviceInfo {
  id: string;
  code: string;
  name: string;
  kind: string;
  siteId: string;
  memberId: string;
  zone: string | null;
  doorId: string | null;
  frigateCamera: string | null;
}

interface Pending {
  message: RawMessage;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
}

export interface AlarmNotice {
  id: string;
  type: string;
  title: string;
  priority: number;
  state: string;
  siteId: string;
  eventCount: number;
  lastEventAt: string;
}

const MAX_BATCH = 2000;
const PAYLOAD_KEEP = 16_384;
/** A jsonb value may not hold \u0000: such an event would fail its whole batch. */
const stripNul = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/\\u0000/g, ''));

/**
 * Stores device messages in batches: one transaction per batch stores the new events (idempotent by
 * id), the dead letters and the status changes, and creates or updates the alarms the rules decide.
 * Each message's promise settles once its batch has committed: the MQTT side acknowledges then.
 */
export class IngestService {
  private queue: Pending[] = [];
  private running = false;
  private devices: { byCode: Map<string, DeviceInfo>; byFrigate: Map<string, DeviceInfo>; byId: Map<string, DeviceInfo>; memberBySite: Map<string, string>; loadedAt: number } | undefined;
  private stopped = false;
  /** Counters since start, for the health page and the benchmark. */
  readonly stats = { stored: 0, duplicates: 0, dead: 0, batches: 0 };

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    readonly engine: RuleEngine,
    private readonly prefixes: TopicPrefixes,
    public log: Pick<Logger, 'warn' | 'error'>,
  ) {
    bus.subscribe('security.security_device.*', () => {
      this.devices = undefined;
    });
  }

  /** Stores one MQTT message; resolves once it is committed (or dead-lettered). */
  submit(message: RawMessage): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Stores a generic event posted over HTTP by a device identified by its token. */
  submitHttp(deviceId: string, body: unknown): Promise<StoreOutcome> {
    return this.submit({ source: 'http', topic: null, payload: JSON.stringify(body ?? null), parsed: readGenericEvent(body, { deviceId }, 'http') });
  }

  /** Waits for what is queued, then refuses new work. */
  async stop(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 10));
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    let backoff = 500;
    while (this.queue.length && !this.stopped) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const outcomes = await this.storeBatch(batch.map((p) => p.message));
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
        backoff = 500;
      } catch (error) {
        if (batch.length > 1) {
          // One bad message must not hold the others: store them one by one, dead-lettering the one that fails.
          const retry: Pending[] = [];
          for (const p of batch) {
            try {
              p.resolve((await this.storeBatch([p.message]))[0]!);
            } catch (single) {
              try {
                await this.deadLetter(p.message, `Rejeté par la base : ${(single as Error).message}`);
                p.resolve({ outcome: 'dead', reason: (single as Error).message });
              } catch {
                retry.push(p);
              }
            }
          }
          if (retry.length === 0) continue;
          this.queue.unshift(...retry);
        } else {
          this.queue.unshift(...batch);
        }
        // The database itself fails: wait and try again; the broker keeps what is not acknowledged.
        this.log.error({ err: error }, `security ingestion: batch failed, retrying in ${backoff} ms`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.running = false;
  }

  private async deadLetter(message: RawMessage, reason: string): Promise<void> {
    await this.db.insertInto('security_dead_letters').values({ source: message.source, topic: message.topic, payload: payloadText(message.payload), reason }).execute();
  }

  private async loadDevices(force: boolean) {
    if (this.devices && !force) return this.devices;
    const rows = await this.db
      .selectFrom('security_devices')
      .select(['id', 'code', 'name', 'kind', 'site_id', 'member_id', 'zone', 'door_id', 'frigate_camera'])
      .execute();
    const infos = rows.map((r) => ({ id: r.id, code: r.code, name: r.name, kind: r.kind, siteId: r.site_id, memberId: r.member_id, zone: r.zone, doorId: r.door_id, frigateCamera: r.frigate_camera }));
    this.devices = {
      byCode: new Map(infos.map((d) => [d.code, d])),
      byFrigate: new Map(infos.filter((d) => d.frigateCamera).map((d) => [d.frigateCamera!, d])),
      byId: new Map(infos.map((d) => [d.id, d])),
      memberBySite: new Map(infos.map((d) => [d.siteId, d.memberId])),
      loadedAt: Date.now(),
    };
    return this.devices;
  }

  private async resolve(refs: DeviceRef[]): Promise<(DeviceInfo | undefined)[]> {
    let devices = await this.loadDevices(false);
    const find = (ref: DeviceRef) =>
      'code' in ref ? devices.byCode.get(ref.code) : 'frigateCamera' in ref ? devices.byFrigate.get(ref.frigateCamera) : devices.byId.get(ref.deviceId);
    // A device declared since the last load: reload, at most once a second so that a flood of unknown devices costs little.
    if (refs.some((r) => !find(r)) && Date.now() - devices.loadedAt > 1000) devices = await this.loadDevices(true);
    return refs.map(find);
  }

  private async storeBatch(messages: RawMessage[]): Promise<StoreOutcome[]> {
    const receivedAt = new Date();
    const parsed = messages.map((m) => m.parsed ?? readMessage(m.topic ?? '', m.payload, this.prefixes, receivedAt));
    const outcomes: StoreOutcome[] = new Array(messages.length);
    const dead: { index: number; reason: string }[] = [];
    const statuses = new Map<string, { status: DeviceStatus; liveness: boolean }>();

    const refs = parsed.map((p) => (p.kind === 'event' ? p.event.device : p.kind === 'status' && p.device !== 'all_frigate' ? p.device : undefined));
    const devices = await this.resolve(refs.filter((r): r is DeviceRef => r !== undefined));
    // The cache may be dropped by a device change while this batch runs: keep the one it was resolved with.
    const cache = this.devices!;
    const deviceOf = new Map<number, DeviceInfo | undefined>();
    let k = 0;
    refs.forEach((r, i) => r && deviceOf.set(i, devices[k++]));

    const candidates: { index: number; event: IncomingEvent; device: DeviceInfo }[] = [];
    parsed.forEach((p, i) => {
      if (p.kind === 'dead') dead.push({ index: i, reason: p.reason });
      else if (p.kind === 'ignored') outcomes[i] = { outcome: 'ignored' };
      else if (p.kind === 'status') {
        if (p.device === 'all_frigate') {
          for (const d of cache.byFrigate.values()) statuses.set(d.id, { status: p.status, liveness: false });
          outcomes[i] = { outcome: 'status' };
        } else {
          const device = deviceOf.get(i);
          if (!device) dead.push({ index: i, reason: unknownDevice(p.device) });
          else {
            statuses.set(device.id, { status: p.status, liveness: p.liveness === true });
            outcomes[i] = { outcome: 'status' };
          }
        }
      } else {
        const device = deviceOf.get(i);
        if (!device) dead.push({ index: i, reason: unknownDevice(p.event.device) });
        else candidates.push({ index: i, event: p.event, device });
      }
    });

    // Idempotent by id: a redelivered or replayed event, in this batch or stored before, counts once.
    const seen = new Map<string, number>();
    const fresh: typeof candidates = [];
    for (const c of candidates) {
      if (seen.has(c.event.id)) outcomes[c.index] = { outcome: 'duplicate' };
      else {
        seen.set(c.event.id, c.index);
        fresh.push(c);
      }
    }
    const known = fresh.length
      ? new Set((await this.db.selectFrom('security_events').select('id').where('id', 'in', fresh.map((c) => c.event.id)).execute()).map((r) => r.id))
      : new Set<string>();
    const toStore = fresh.filter((c) => {
      if (!known.has(c.event.id)) return true;
      outcomes[c.index] = { outcome: 'duplicate' };
      return false;
    });
    toStore.sort((a, b) => a.event.occurredAt.getTime() - b.event.occurredAt.getTime());

    const engineEvents: EngineEvent[] = toStore.map(({ event, device }) => ({
      id: event.id,
      type: event.type,
      deviceId: device.id,
      siteId: device.siteId,
      doorId: device.kind === 'door' ? device.id : device.doorId,
      zone: device.zone,
      occurredAt: event.occurredAt,
    }));

    const result = await this.db.transaction().execute(async (trx) => {
      const open = new Map<string, OpenAlarm>();
      const keys = [...new Set(engineEvents.flatMap((e) => this.engine.candidateKeys(e)))];
      if (keys.length) {
        const rows = await trx
          .selectFrom('security_alarms')
          .select(['id', 'group_key', 'type', 'priority', 'rule_id', 'site_id', 'device_id', 'event_count', 'first_event_at', 'last_event_at', 'created_at', 'deadline_at'])
          .where('group_key', 'in', keys)
          .where('state', 'in', [...OPEN_STATES])
          .orderBy('last_event_at', 'asc')
          .execute();
        for (const r of rows) {
          open.set(r.group_key, {
            id: r.id,
            groupKey: r.group_key,
            type: r.type,
            priority: r.priority,
            ruleId: r.rule_id,
            siteId: r.site_id,
            deviceId: r.device_id,
            eventCount: r.event_count,
            firstEventAt: r.first_event_at,
            lastEventAt: r.last_event_at,
            deadlineSec: Math.max(0, Math.round((r.deadline_at.getTime() - r.created_at.getTime()) / 1000)),
          });
        }
      }
      const touched = new Map<string, OpenAlarm>();
      const alarmOf = engineEvents.map((e) => {
        const decision = this.engine.evaluate(e, open);
        if (decision.kind === 'none') return null;
        touched.set(decision.alarm.id, decision.alarm);
        return decision.alarm.id;
      });

      const created = [...touched.values()].filter((a) => a.created);
      const changed = [...touched.values()].filter((a) => !a.created && a.changed);
      const memberOf = (siteId: string) => cache.memberBySite.get(siteId) ?? '';
      const deviceName = (id: string | null) => (id ? cache.byId.get(id)?.name : undefined);
      if (created.length) {
        await trx
          .insertInto('security_alarms')
          .values(
            created.map((a) => ({
              id: a.id,
              group_key: a.groupKey,
              type: a.type,
              priority: a.priority,
              state: 'new' as const,
              site_id: a.siteId,
              member_id: memberOf(a.siteId),
              device_id: a.deviceId,
              rule_id: a.ruleId,
              title: `${typeLabel(a.type)}${deviceName(a.deviceId) ? ` — ${deviceName(a.deviceId)}` : ''}`,
              event_count: a.eventCount,
              first_event_at: a.firstEventAt,
              last_event_at: a.lastEventAt,
              deadline_at: new Date(receivedAt.getTime() + a.deadlineSec * 1000),
              qualification_details: null,
            })),
          )
          .execute();
        await trx
          .insertInto('security_alarm_history')
          .values(created.map((a) => ({ alarm_id: a.id, actor_id: null, actor_label: 'system', action: 'created', from_state: null, to_state: 'new', details: JSON.stringify({ ruleId: a.ruleId, eventCount: a.eventCount }) })))
          .execute();
      }
      for (const a of changed) {
        await trx
          .updateTable('security_alarms')
          .set({ group_key: a.groupKey, type: a.type, priority: a.priority, rule_id: a.ruleId, event_count: a.eventCount, last_event_at: a.lastEventAt, title: `${typeLabel(a.type)}${deviceName(a.deviceId) ? ` — ${deviceName(a.deviceId)}` : ''}`, updated_at: receivedAt })
          .where('id', '=', a.id)
          .execute();
      }

      for (let i = 0; i < toStore.length; i += 1000) {
        await trx
          .insertInto('security_events')
          .values(
            toStore.slice(i, i + 1000).map(({ event, device }, j) => ({
              id: event.id,
              device_id: device.id,
              site_id: device.siteId,
              type: event.type,
              source: event.source,
              occurred_at: event.occurredAt,
              received_at: receivedAt,
              details: JSON.stringify(stripNul(event.details)),
              alarm_id: alarmOf[i + j] ?? null,
            })),
          )
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      if (dead.length) {
        await trx
          .insertInto('security_dead_letters')
          .values(dead.map((d) => ({ source: messages[d.index]!.source, topic: messages[d.index]!.topic, payload: payloadText(messages[d.index]!.payload), reason: d.reason, received_at: receivedAt })))
          .execute();
      }
      for (const { event, device } of toStore) if (TAMPER_TYPES.includes(event.type)) statuses.set(device.id, { status: 'tampered', liveness: false });
      for (const [status, ids] of groupStatuses(statuses, false)) {
        await trx.updateTable('security_devices').set({ status, status_at: receivedAt }).where('id', 'in', ids).where('status', '!=', status).execute();
      }
      // Liveness (Frigate's motion state) says the camera works, but does not clear a tamper.
      for (const [status, ids] of groupStatuses(statuses, true)) {
        await trx.updateTable('security_devices').set({ status, status_at: receivedAt }).where('id', 'in', ids).where('status', 'in', ['unknown', 'offline']).execute();
      }
      return { created, changed, alarmOf };
    });

    toStore.forEach((c, i) => (outcomes[c.index] = { outcome: 'stored', alarmId: result.alarmOf[i] }));
    for (const d of dead) outcomes[d.index] = { outcome: 'dead', reason: d.reason };
    this.stats.batches += 1;
    this.stats.stored += toStore.length;
    this.stats.dead += dead.length;
    this.stats.duplicates += outcomes.filter((o) => o.outcome === 'duplicate').length;

    const memberOf = (siteId: string) => cache.memberBySite.get(siteId) ?? null;
    for (const [verb, alarms] of [['created', result.created], ['updated', result.changed]] as const) {
      for (const a of alarms) {
        await this.bus.publish<AlarmNotice>({
          topic: `security.security_alarm.${verb}`,
          memberId: memberOf(a.siteId),
          data: { id: a.id, type: a.type, title: typeLabel(a.type), priority: a.priority, state: 'new', siteId: a.siteId, eventCount: a.eventCount, lastEventAt: a.lastEventAt.toISOString() },
        });
      }
    }
    if (statuses.size) await this.bus.publish({ topic: 'security.security_device.status', memberId: null, data: { count: statuses.size } });
    return outcomes;
  }

  /** Open alarms' keys are in the database; the engine's correlation memory is rebuilt from recent events. */
  async warmUp(minutes = 10): Promise<void> {
    const devices = await this.loadDevices(true);
    const rows = await this.db
      .selectFrom('security_events')
      .select(['id', 'device_id', 'type', 'occurred_at'])
      .where('occurred_at', '>', new Date(Date.now() - minutes * 60_000))
      .orderBy('occurred_at')
      .limit(50_000)
      .execute();
    const open = new Map<string, OpenAlarm>();
    for (const r of rows) {
      const d = devices.byId.get(r.device_id);
      if (!d) continue;
      // Replayed against an empty alarm map: only the engine's memory of bursts and pairs matters here.
      this.engine.evaluate({ id: r.id, type: r.type, deviceId: d.id, siteId: d.siteId, doorId: d.kind === 'door' ? d.id : d.doorId, zone: d.zone, occurredAt: r.occurred_at }, open);
    }
  }
}

function groupStatuses(statuses: Map<string, { status: DeviceStatus; liveness: boolean }>, liveness: boolean): Map<DeviceStatus, string[]> {
  const out = new Map<DeviceStatus, string[]>();
  for (const [id, s] of statuses) {
    if (s.liveness !== liveness) continue;
    out.set(s.status, [...(out.get(s.status) ?? []), id]);
  }
  return out;
}

function unknownDevice(ref: DeviceRef): string {
  if ('frigateCamera' in ref) return `Caméra Frigate inconnue : « ${ref.frigateCamera} » (déclarez-la avec son nom Frigate)`;
  if ('code' in ref) return `Équipement inconnu : « ${ref.code} »`;
  return `Équipement inconnu : ${ref.deviceId}`;
}

function payloadText(payload: Buffer | string): string {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  return (text.length > PAYLOAD_KEEP ? `${text.slice(0, PAYLOAD_KEEP)}…` : text).replace(/\u0000/g, '');
}

