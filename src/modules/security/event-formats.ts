/**
 * What device messages say, read from their topic and payload: Frigate's MQTT messages as Frigate
 * publishes them, and the generic JSON events of `<device prefix>/{code}/events`. Nothing here touches
 * the database: a message becomes an event, a status change, nothing, or a dead letter with its reason.
 */
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

/** ONVIF-style video analytics and access-control events, plus what Frigate reports. */
export const GENERIC_EVENT_TYPES = [
  'motion',
  'tamper',
  'line_crossing',
  'field_intrusion',
  'door_forced_open',
  'door_held_open',
  'access_denied',
  'unknown_credential',
  'anti_passback_violation',
  'duress',
  'reader_tamper',
] as const;
export const FRIGATE_EVENT_TYPES = ['object_detected', 'review_alert', 'review_detection'] as const;
export const EVENT_TYPES = [...GENERIC_EVENT_TYPES, ...FRIGATE_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events that mean someone is tampering with the device itself: its status becomes "tampered". */
export const TAMPER_TYPES: readonly string[] = ['tamper', 'reader_tamper'];

export const GenericEvent = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, description: 'Identifiant unique de l’événement chez l’émetteur (rejouer le même id ne crée rien)' }),
    type: Type.Unsafe<(typeof GENERIC_EVENT_TYPES)[number]>({ type: 'string', enum: [...GENERIC_EVENT_TYPES] }),
    occurredAt: Type.Optional(Type.String({ format: 'date-time', description: 'Horodatage ISO 8601 de l’événement ; par défaut, sa réception' })),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Données libres : badge, sens de passage, règle d’analyse…' })),
  },
  { additionalProperties: false },
);
export type GenericEvent = Static<typeof GenericEvent>;
const genericCheck = Compile(GenericEvent);

export type DeviceRef = { code: string } | { frigateCamera: string } | { deviceId: string };

export interface IncomingEvent {
  id: string;
  device: DeviceRef;
  type: EventType;
  occurredAt: Date;
  source: 'frigate' | 'mqtt' | 'http';
  details: Record<string, unknown>;
}

export type Parsed =
  | { kind: 'event'; event: IncomingEvent }
  | { kind: 'status'; device: DeviceRef | 'all_frigate'; status: 'online' | 'offline'; liveness?: boolean }
  | { kind: 'ignored' }
  | { kind: 'dead'; reason: string };

export interface TopicPrefixes {
  frigate: string;
  devices: string;
}

const dead = (reason: string): Parsed => ({ kind: 'dead', reason });

function json(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a generic event; `device` comes from the topic (MQTT) or from the device's token (HTTP). */
export function readGenericEvent(body: unknown, device: DeviceRef, source: 'mqtt' | 'http', receivedAt = new Date()): Parsed {
  if (!genericCheck.Check(body)) {
    const first = [...genericCheck.Errors(body)].slice(0, 3);
    return dead(`Événement non conforme au schéma : ${first.map((e) => `${e.instancePath || '/'} ${e.message}`).join(' ; ')}`);
  }
  return {
    kind: 'event',
    event: { id: body.id, device, type: body.type, occurredAt: body.occurredAt ? new Date(body.occurredAt) : receivedAt, source, details: body.details ?? {} },
  };
}

/** Frigate times are Unix seconds with a fraction. */
const fromUnix = (seconds: unknown) => (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : undefined);

function readFrigateEvent(body: unknown): Parsed {
  if (!isObject(body) || !['new', 'update', 'end'].includes(body.type as string) || !isObject(body.after)) {
    return dead('Message frigate/events inattendu : il faut "type" (new, update, end) et l’objet "after"');
  }
  const a = body.after;
  const start = fromUnix(a.start_time);
  if (typeof a.id !== 'string' || typeof a.camera !== 'string' || typeof a.label !== 'string' || !start) {
    return dead('Message frigate/events incomplet : "after" doit avoir id, camera, label et start_time');
  }
  // Frigate repeats the tracked object in update and end messages under the same id: it is one event.
  if (a.false_positive === true) return { kind: 'ignored' };
  return {
    kind: 'event',
    event: {
      id: `frigate:${a.id}`,
      device: { frigateCamera: a.camera },
      type: 'object_detected',
      occurredAt: start,
      source: 'frigate',
      details: {
        frigateId: a.id,
        label: a.label,
        subLabel: a.sub_label ?? null,
        score: typeof a.top_score === 'number' ? a.top_score : (a.score ?? null),
        zones: Array.isArray(a.entered_zones) ? a.entered_zones : [],
        hasClip: a.has_clip === true,
        hasSnapshot: a.has_snapshot === true,
      },
    },
  };
}

function readFrigateReview(body: unknown): Parsed {
  if (!isObject(body) || !['new', 'update', 'end'].includes(body.type as string) || !isObject(body.after)) {
    return dead('Message frigate/reviews inattendu : il faut "type" (new, update, end) et l’objet "after"');
  }
  const a = body.after;
  const start = fromUnix(a.start_time);
  if (typeof a.id !== 'string' || typeof a.camera !== 'string' || !['alert', 'detection'].includes(a.severity as string) || !start) {
    return dead('Message frigate/reviews incomplet : "after" doit avoir id, camera, severity (alert, detection) et start_time');
  }
  const data = isObject(a.data) ? a.data : {};
  return {
    kind: 'event',
    event: {
      id: `frigate-review:${a.id}`,
      device: { frigateCamera: a.camera },
      type: a.severity === 'alert' ? 'review_alert' : 'review_detection',
      occurredAt: start,
      source: 'frigate',
      details: { frigateReviewId: a.id, objects: Array.isArray(data.objects) ? data.objects : [], zones: Array.isArray(data.zones) ? data.zones : [] },
    },
  };
}

function availability(payload: string): 'online' | 'offline' | undefined {
  const text = payload.trim().toLowerCase();
  if (text === 'online' || text === 'offline') return text;
  const body = json(payload);
  if (isObject(body) && (body.status === 'online' || body.status === 'offline')) return body.status;
  return undefined;
}

/** Reads one MQTT message. */
export function readMessage(topic: string, payload: Buffer | string, prefixes: TopicPrefixes, receivedAt = new Date()): Parsed {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  const f = `${prefixes.frigate}/`;
  const d = `${prefixes.devices}/`;
  if (topic.startsWith(f)) {
    const rest = topic.slice(f.length);
    if (rest === 'events' || rest === 'reviews') {
      const body = json(text);
      if (body === undefined) return dead('Contenu non JSON');
      return rest === 'events' ? readFrigateEvent(body) : readFrigateReview(body);
    }
    if (rest === 'available') {
      const status = availability(text);
      return status ? { kind: 'status', device: 'all_frigate', status } : dead('frigate/available attend "online" ou "offline"');
    }
    // frigate/<camera>/motion: Frigate's per-camera state shows that the camera is alive.
    const [camera, what] = rest.split('/');
    if (camera && what === 'motion') return { kind: 'status', device: { frigateCamera: camera }, status: 'online', liveness: true };
    return { kind: 'ignored' };
  }
  if (topic.startsWith(d)) {
    const [code, what, extra] = topic.slice(d.length).split('/');
    if (!code || extra !== undefined) return dead(`Topic inattendu : ${topic}`);
    if (what === 'events') {
      const body = json(text);
      if (body === undefined) return dead('Contenu non JSON');
      return readGenericEvent(body, { code }, 'mqtt', receivedAt);
    }
    if (what === 'availability') {
      const status = availability(text);
      return status ? { kind: 'status', device: { code }, status } : dead('availability attend "online" ou "offline" (ou {"status": …})');
    }
    return dead(`Topic inattendu : ${topic}`);
  }
  return dead(`Topic inattendu : ${topic}`);
}
