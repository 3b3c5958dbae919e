import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { IngestService } from './ingest.service.js';
import type { TopicPrefixes } from './event-formats.js';

export interface MqttOptions {
  /** An external broker; undefined starts the embedded one on `port`. */
  url: string | undefined;
  port: number;
  host: string;
  clientId: string;
  prefixes: TopicPrefixes;
}

export interface MqttState {
  mode: 'embedded' | 'external';
  url: string;
  connected: boolean;
  /** When the link last went up or down. */
  since: string | null;
  lastError: string | null;
  reconnects: number;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * MQTT.js hands messages over one at a time and sends the PUBACK when `handleMessage` calls back. To
 * store messages in batches and still acknowledge each only once stored, the callback is given this
 * marker (MQTT.js then moves on to the next message without acknowledging) and the PUBACK is sent by
 * hand after the batch commits.
 */
const ACK_LATER = new Error('acknowledged after storage');

type SendPacket = (packet: { cmd: 'puback'; messageId: number; reasonCode?: number }) => void;

/** The link to the device bus: the embedded broker when there is no external one, and the subscriber. */
export class MqttLink {
  private client: MqttClient | undefined;
  private broker: Aedes | undefined;
  private server: net.Server | undefined;
  /** Increases at each connection: an acknowledgement for a message of a previous connection is not sent (the broker redelivers it). */
  private generation = 0;
  private retryMs = FIRST_RETRY_MS;
  private subscribed = false;
  private readonly waiting = new Set<() => void>();
  readonly state: MqttState;

  constructor(
    private readonly options: MqttOptions,
    private readonly ingest: IngestService,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {
    this.state = { mode: options.url ? 'external' : 'embedded', url: options.url ?? '', connected: false, since: null, lastError: null, reconnects: 0 };
  }

  /** Starts the embedded broker if needed and connects; an unreachable broker is retried with backoff, never fatal. */
  async start(): Promise<void> {
    let url = this.options.url;
    if (!url) {
      this.broker = await Aedes.createBroker();
      const server = net.createServer(this.broker.handle as (socket: net.Socket) => void);
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      url = `mqtt://${this.options.host === '0.0.0.0' ? '127.0.0.1' : this.options.host}:${port}`;
      this.state.url = url;
    }
    // MQTT 5 lets the client say how many unacknowledged messages it takes at once (Mosquitto otherwise
    // sends 20 to a 3.1.1 client); aedes speaks 3.1.1 only.
    const v5 = this.options.url !== undefined;
    const client = mqtt.connect(url, {
      clientId: this.options.clientId,
      clean: false,
      protocolVersion: v5 ? 5 : 4,
      ...(v5 && { properties: { sessionExpiryInterval: 7 * 86_400, receiveMaximum: 65_535 } }),
      reconnectPeriod: FIRST_RETRY_MS,
      connectTimeout: 5000,
      resubscribe: false,
    });
    this.client = client;
    const sendPacket = (client as unknown as { _sendPacket: SendPacket })._sendPacket.bind(client);

    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      const generation = this.generation;
      const settled = this.ingest.submit({ source: 'mqtt', topic: packet.topic, payload: packet.payload as Buffer });
      if (packet.qos === 0) {
        callback();
        return;
      }
      callback(ACK_LATER);
      settled.then(
        () => {
          if (generation === this.generation && this.client?.connected && packet.messageId !== undefined) sendPacket({ cmd: 'puback', messageId: packet.messageId, reasonCode: 0 });
        },
        (error: unknown) => this.log.error({ err: error }, 'security ingestion: message not stored, left unacknowledged'),
      );
    };

    client.on('connect', (connack) => {
      this.generation += 1;
      this.retryMs = FIRST_RETRY_MS;
      client.options.reconnectPeriod = FIRST_RETRY_MS;
      Object.assign(this.state, { connected: true, since: new Date().toISOString(), lastError: null });
      this.log.info({ url, sessionPresent: connack.sessionPresent }, 'security: connected to the MQTT broker');
      const { frigate, devices } = this.options.prefixes;
      const topics = [`${frigate}/events`, `${frigate}/reviews`, `${frigate}/available`, `${frigate}/+/motion`, `${devices}/+/events`, `${devices}/+/availability`];
      client.subscribe(
        Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }])),
        (error) => {
          if (error) this.log.error({ err: error }, 'security: MQTT subscription failed');
          else this.subscribed = true;
          for (const resolve of this.waiting) resolve();
          this.waiting.clear();
        },
      );
    });
    client.on('close', () => {
      this.subscribed = false;
      if (this.state.connected) Object.assign(this.state, { connected: false, since: new Date().toISOString() });
      // Exponential backoff: MQTT.js reads the period again before each attempt.
      client.options.reconnectPeriod = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    });
    client.on('reconnect', () => {
      this.state.reconnects += 1;
    });
    client.on('error', (error) => {
      this.state.lastError = error.message;
      this.log.warn({ err: error }, 'security: MQTT error');
    });
    client.on('offline', () => {
      if (!this.state.lastError) this.state.lastError = 'courtier MQTT injoignable';
    });
  }

  /** Resolves once connected and subscribed (for tests and the simulator). */
  ready(): Promise<void> {
    if (this.subscribed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.add(resolve));
  }

  async stop(): Promise<void> {
    // Not acknowledged messages stay with the broker for the persistent session.
    await this.client?.endAsync(true).catch(() => {});
    this.client = undefined;
    // The broker first: it drops its clients, without which the server would wait for them to leave.
    if (this.broker) await new Promise<void>((resolve) => this.broker!.close(() => resolve()));
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.state.connected = false;
  }
}
