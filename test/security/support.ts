import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import type { Platform } from '../../src/platform/platform.js';
import type { DeviceInput } from '../../src/modules/security/index.js';

/** The machine's Mosquitto, shared with other work: every test uses its own topic prefixes and client ids. */
export const MOSQUITTO_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export const uniqueName = (label: string) => `t${randomBytes(4).toString('hex')}_${label}`;

export async function siteId(platform: Platform, name: string): Promise<string> {
  const row = await platform.database.db.selectFrom('sites').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

export async function device(platform: Platform, input: Omit<DeviceInput, 'name'> & { name?: string }) {
  return platform.security.devices.create(SYSTEM_ACTOR, { name: input.code, ...input });
}

export async function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: uniqueName('pub'), clean: true });
}

/** Polls until `check` gives a value (real components take their time; no fixed sleeps). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Frigate frigate/events message as Frigate publishes it. */
export function frigateEvent(camera: string, id: string, type: 'new' | 'update' | 'end' = 'new', startTime = Date.now() / 1000, label = 'person') {
  const after = {
    id,
    camera,
    frame_time: startTime + 1,
    snapshot: null,
    label,
    sub_label: null,
    top_score: 0.91,
    false_positive: false,
    start_time: startTime,
    end_time: type === 'end' ? startTime + 12 : null,
    score: 0.87,
    box: [424, 500, 536, 712],
    area: 23744,
    ratio: 2.11,
    region: [264, 450, 667, 853],
    current_zones: ['entree'],
    entered_zones: ['entree'],
    thumbnail: null,
    has_snapshot: true,
    has_clip: true,
    stationary: false,
    motionless_count: 0,
    position_changes: 2,
    attributes: {},
  };
  return JSON.stringify({ type, before: { ...after, entered_zones: [] }, after });
}
