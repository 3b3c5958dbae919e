import path from 'node:path';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  port: number;
  host: string;
  /** A postgres:// URL selects the PostgreSQL server; undefined selects embedded PGlite. */
  databaseUrl: string | undefined;
  dataDir: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  nodeEnv: NodeEnv;
  logLevel: string;
  tileUrl: string | undefined;
  /** The device bus (security module): an external broker, else the embedded one on mqttPort. */
  mqttUrl: string | undefined;
  mqttPort: number;
  mqttClientId: string;
  frigateTopicPrefix: string;
  deviceTopicPrefix: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Invalid environment variable ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a port number (0-65535)`);
  const port = Number(raw);
  if (port > 65535) throw new ConfigError(name, `${port} is above 65535`);
  return port;
}

function readOptional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = (readOptional(env, 'NODE_ENV') ?? 'development') as NodeEnv;
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError('NODE_ENV', `"${nodeEnv}" is not one of development, production, test`);
  }

  const databaseUrl = readOptional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user@host:port/database)');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', `protocol "${url.protocol}" is not postgres: (unset it to use the embedded database)`);
    }
  }

  const adminEmail = readOptional(env, 'MUTUALIS_ADMIN_EMAIL');
  const adminPassword = readOptional(env, 'MUTUALIS_ADMIN_PASSWORD');
  if (adminEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('MUTUALIS_ADMIN_EMAIL', `"${adminEmail}" is not an e-mail address`);
  }
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError(
      adminEmail === undefined ? 'MUTUALIS_ADMIN_EMAIL' : 'MUTUALIS_ADMIN_PASSWORD',
      'MUTUALIS_ADMIN_EMAIL and MUTUALIS_ADMIN_PASSWORD must be set together',
    );
  }

  const tileUrl = readOptional(env, 'TILE_URL');
  if (tileUrl !== undefined && !/^https?:\/\/.*\{z\}.*\{x\}.*\{y\}/.test(tileUrl)) {
    throw new ConfigError('TILE_URL', 'must be an http(s) URL template with {z}, {x} and {y}');
  }

  const logLevel = readOptional(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not a pino level`);
  }

  const mqttUrl = readOptional(env, 'MQTT_URL');
  if (mqttUrl !== undefined && !/^(mqtts?|tcp|tls|wss?):\/\/[^/]+/.test(mqttUrl)) {
    throw new ConfigError('MQTT_URL', `"${mqttUrl}" is not a broker URL (expected mqtt://host:port or mqtts://…)`);
  }
  const topicPrefix = (name: string, fallback: string) => {
    const value = readOptional(env, name) ?? fallback;
    if (!/^[^#+\s]+$/.test(value) || value.endsWith('/')) throw new ConfigError(name, `"${value}" is not a topic prefix (no wildcard, space or trailing slash)`);
    return value;
  };
  const mqttClientId = readOptional(env, 'MQTT_CLIENT_ID') ?? 'mutualis-security';
  if (!/^[\w.-]{1,64}$/.test(mqttClientId)) throw new ConfigError('MQTT_CLIENT_ID', 'letters, digits, ".", "_" or "-" only (64 at most)');

  return {
    port: readPort(env, 'PORT', 8080),
    host: readOptional(env, 'HOST') ?? '127.0.0.1',
    databaseUrl,
    dataDir: path.resolve(readOptional(env, 'DATA_DIR') ?? './data'),
    adminEmail,
    adminPassword,
    nodeEnv,
    logLevel,
    tileUrl,
    mqttUrl,
    mqttPort: readPort(env, 'MQTT_PORT', 1884),
    mqttClientId,
    frigateTopicPrefix: topicPrefix('FRIGATE_TOPIC_PREFIX', 'frigate'),
    deviceTopicPrefix: topicPrefix('DEVICE_TOPIC_PREFIX', 'mutualis/devices'),
  };
}
