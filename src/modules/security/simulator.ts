/**
 * Realistic device traffic for the demo sites: Frigate tracked objects (new, update, end) and review
 * items on demo_cam_01..10, and access-control events on the demo doors and readers, published to the
 * broker as the real devices would.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';

export interface Message {
  topic: string;
  payload: string;
}

export interface Prefixes {
  frigate: string;
  devices: string;
}

/** A frigate/events message, shaped as Frigate publishes it. */
export function frigateEventMessage(p: Prefixes, camera: string, id: string, type: 'new' | 'update' | 'end', startTime: number, label = 'person', zones: string[] = []): Message {
  const after = {
    id,
    camera,
    frame_time: startTime + (type === 'new' ? 0.4 : 3.2),
    snapshot: { frame_time: startTime + 0.4, box: [412, 230, 520, 610], area: 41040, region: [256, 96, 736, 576], score: 0.82, attributes: [] },
    label,
    sub_label: null,
    top_score: 0.86,
    false_positive: false,
    start_time: startTime,
    end_time: type === 'end' ? startTime + 14.6 : null,
    score: 0.84,
    box: [412, 230, 520, 610],
    area: 41040,
    ratio: 0.28,
    region: [256, 96, 736, 576],
    current_zones: zones,
    entered_zones: zones,
    thumbnail: null,
    has_snapshot: true,
    has_clip: true,
    stationary: false,
    motionless_count: 0,
    position_changes: type === 'new' ? 0 : 3,
    attributes: {},
  };
  return { topic: `${p.frigate}/events`, payload: JSON.stringify({ type, before: { ...after, entered_zones: [], current_zones: [] }, after }) };
}

export function frigateReviewMessage(p: Prefixes, camera: string, id: string, startTime: number, severity: 'alert' | 'detection' = 'alert'): Message {
  const after = { id, camera, start_time: startTime, end_time: null, severity, thumb_path: `/media/frigate/clips/review/thumb-${camera}-${id}.webp`, data: { detections: [`${startTime}-x`], objects: ['person'], sub_labels: [], zones: [], audio: [] } };
  return { topic: `${p.frigate}/reviews`, payload: JSON.stringify({ type: 'new', before: after, after }) };
}

/** A generic event on `<devices>/{code}/events`. */
export function deviceEventMessage(p: Prefixes, code: string, type: string, details: Record<string, unknown> = {}, id: string = randomUUID(), occurredAt = new Date()): Message {
  return { topic: `${p.devices}/${code}/events`, payload: JSON.stringify({ id, type, occurredAt: occurredAt.toISOString(), details }) };
}

const CAMERAS = Array.from({ length: 10 }, (_, i) => `demo_cam_${String(i + 1).padStart(2, '0')}`);
const READERS = ['DEMO-READER-01', 'DEMO-READER-02', 'DEMO-READER-03', 'DEMO-READER-04'];
const DOORS = ['DEMO-DOOR-01', 'DEMO-DOOR-02', 'DEMO-DOOR-03', 'DEMO-DOOR-04'];
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
const badge = () => `04${Math.floor(Math.random() * 1e8).toString(16).toUpperCase().padStart(8, '0')}`;

/** One scenario: messages with their delay in ms from now. */
function scenario(p: Prefixes): { delay: number; message: Message }[] {
  const now = Date.now();
  const r = Math.random();
  if (r < 0.4) {
    // A tracked object: new, an update, its end.
    const start = now / 1000;
    const id = `${start.toFixed(6)}-${Math.random().toString(36).slice(2, 8)}`;
    const camera = pick(CAMERAS);
    const label = Math.random() < 0.8 ? 'person' : 'car';
    return [
      { delay: 0, message: frigateEventMessage(p, camera, id, 'new', start, label) },
      { delay: 2000, message: frigateEventMessage(p, camera, id, 'update', start, label) },
      { delay: 8000, message: frigateEventMessage(p, camera, id, 'end', start, label) },
    ];
  }
  if (r < 0.5) return [{ delay: 0, message: frigateReviewMessage(p, pick(CAMERAS), `${(now / 1000).toFixed(3)}-${Math.random().toString(36).slice(2, 8)}`, now / 1000) }];
  if (r < 0.62) {
    // Someone tries a wrong badge several times.
    const reader = pick(READERS);
    const card = badge();
    return [0, 5000, 10_000].map((delay) => ({ delay, message: deviceEventMessage(p, reader, 'access_denied', { badge: card, reason: 'hors plage horaire' }, randomUUID(), new Date(now + delay)) }));
  }
  if (r < 0.74) return [{ delay: 0, message: deviceEventMessage(p, pick(DOORS), 'door_held_open', { seconds: 30 + Math.floor(Math.random() * 90) }) }];
  if (r < 0.84) return [{ delay: 0, message: deviceEventMessage(p, pick(READERS), 'unknown_credential', { badge: badge() }) }];
  if (r < 0.9) return [{ delay: 0, message: deviceEventMessage(p, pick(READERS), 'anti_passback_violation', { badge: badge() }) }];
  if (r < 0.95) {
    // A forced door in the technical room, then the room's detector: one intrusion alarm.
    return [
      { delay: 0, message: deviceEventMessage(p, 'DEMO-DOOR-02', 'door_forced_open') },
      { delay: 4000, message: deviceEventMessage(p, 'DEMO-PIR-01', 'motion', {}, randomUUID(), new Date(now + 4000)) },
    ];
  }
  return [{ delay: 0, message: { topic: `${p.devices}/${pick(READERS)}/availability`, payload: 'online' } }];
}

export interface SimulateOptions {
  url: string;
  /** Incidents (sequences of one to three messages) started per second. */
  rate: number;
  durationSec: number;
  prefixes: Prefixes;
}

/** Starts `rate` incidents a second for `durationSec`, then publishes their follow-ups (10 s at most). */
export async function simulate(options: SimulateOptions): Promise<{ published: number }> {
  const client = await mqtt.connectAsync(options.url, { clientId: `mutualis-simulator-${randomUUID().slice(0, 8)}`, clean: true, connectTimeout: 5000, reconnectPeriod: 0 });
  const pending: { at: number; message: Message }[] = [];
  let published = 0;
  const end = Date.now() + options.durationSec * 1000;
  try {
    const tickMs = 100;
    let credit = 0;
    while (Date.now() < end || pending.length) {
      const now = Date.now();
      if (now < end) {
        credit += (options.rate * tickMs) / 1000;
        while (credit >= 1) {
          for (const s of scenario(options.prefixes)) pending.push({ at: now + s.delay, message: s.message });
          credit -= 1;
        }
      }
      pending.sort((a, b) => a.at - b.at);
      while (pending.length && pending[0]!.at <= now) {
        const { message } = pending.shift()!;
        await client.publishAsync(message.topic, message.payload, { qos: 1 });
        published += 1;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
  } finally {
    await client.endAsync();
  }
  return { published };
}
