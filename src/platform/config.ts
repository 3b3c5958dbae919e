import fs from 'node:fs';
import path from 'node:path';
import { isValidSiret } from './siret.js';

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
  /** SIRET of the SMO, the buyer of the purchasing centre's agreements in the DECP open data. */
  smoSiret: string;
  /** Months after which the data of a pupil who left is deleted (EDUCATION_PUPIL_RETENTION_MONTHS). */
  educationRetentionMonths: number;
  /** PEM files of the server's certificate and key: the API and OCPP then speak HTTPS/WSS (OCPP security profile 2). */
  tls: { certFile: string; keyFile: string } | undefined;
  charging: ChargingConfig;
  /** The device bus (security module): an external broker, else the embedded one on mqttPort. */
  mqttUrl: string | undefined;
  mqttPort: number;
  mqttClientId: string;
  frigateTopicPrefix: string;
  deviceTopicPrefix: string;
  evidence: EvidenceConfig;
}

export interface EvidenceConfig {
  /** Where the video system writes its segments (Frigate's recordings folder or the generic layout). */
  recordingsDir: string;
  /** Where evidence packages are built and kept. */
  packagesDir: string;
  /** PEM file of the Ed25519 key that signs the packages' manifests. */
  signingKeyFile: string;
  /** Set by EVIDENCE_SIGNING_KEY: the file must exist; otherwise a key is made on first start. */
  signingKeyGiven: boolean;
  retentionIntervalMinutes: number;
  scanIntervalSeconds: number;
}

export interface ChargingConfig {
  /** AFIREV operator prefix of the roaming ids: country code and the operator's 3-character id, e.g. FRS78. */
  operatorPrefix: string;
  /** Contact e-mail published in the IRVE open data (contact_operateur). */
  operatorContact: string;
  /** Unknown OCPP identities are kept as pending stations (BootNotification Pending) instead of refused. */
  autoRegister: boolean;
  heartbeatSeconds: number;
  commandTimeoutSeconds: number;
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

function readPositiveInt(env: Env, name: string, fallback: number, max: number): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new ConfigError(name, `"${raw}" is not a whole number between 1 and ${max}`);
  return Number(raw);
}

function readBoolean(env: Env, name: string): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined) return false;
  if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigError(name, `"${raw}" is not true or false`);
  return raw === 'true' || raw === '1';
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

  // A demo SIRET (Luhn-valid, fictitious): set the SMO's own in production.
  const smoSiret = readOptional(env, 'SMO_SIRET') ?? '25780012300016';
  if (!isValidSiret(smoSiret)) {
    throw new ConfigError('SMO_SIRET', `"${smoSiret}" is not a SIRET (14 digits passing the Luhn check)`);
  }

  const logLevel = readOptional(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not a pino level`);
  }

  const retention = readOptional(env, 'EDUCATION_PUPIL_RETENTION_MONTHS') ?? '12';
  if (!/^\d+$/.test(retention) || Number(retention) < 1 || Number(retention) > 120) {
    throw new ConfigError('EDUCATION_PUPIL_RETENTION_MONTHS', `"${retention}" is not a whole number of months between 1 and 120`);
  }

  const certFile = readOptional(env, 'TLS_CERT');
  const keyFile = readOptional(env, 'TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(certFile === undefined ? 'TLS_CERT' : 'TLS_KEY', 'TLS_CERT and TLS_KEY must be set together');
  }
  for (const [name, file] of [['TLS_CERT', certFile], ['TLS_KEY', keyFile]] as const) {
    if (file !== undefined && !fs.existsSync(file)) throw new ConfigError(name, `file "${file}" does not exist`);
  }

  const operatorPrefix = readOptional(env, 'CHARGING_OPERATOR_PREFIX') ?? 'FRS78';
  if (!/^[A-Z]{2}[A-Z0-9]{3}$/.test(operatorPrefix)) {
    throw new ConfigError('CHARGING_OPERATOR_PREFIX', `"${operatorPrefix}" is not an AFIREV operator prefix (country code and 3 letters or digits, e.g. FRS78)`);
  }
  const operatorContact = readOptional(env, 'CHARGING_OPERATOR_CONTACT') ?? 'recharge@mutualis.fr';
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(operatorContact)) throw new ConfigError('CHARGING_OPERATOR_CONTACT', `"${operatorContact}" is not an e-mail address`);
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

  const dataDir = path.resolve(readOptional(env, 'DATA_DIR') ?? './data');
  const signingKey = readOptional(env, 'EVIDENCE_SIGNING_KEY');
  if (signingKey !== undefined && !fs.existsSync(signingKey)) throw new ConfigError('EVIDENCE_SIGNING_KEY', `file "${signingKey}" does not exist (unset it to let the platform make a key under DATA_DIR)`);

  return {
    port: readPort(env, 'PORT', 8080),
    host: readOptional(env, 'HOST') ?? '127.0.0.1',
    databaseUrl,
    dataDir,
    adminEmail,
    adminPassword,
    nodeEnv,
    logLevel,
    tileUrl,
    smoSiret,
    educationRetentionMonths: Number(retention),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    charging: {
      operatorPrefix,
      operatorContact,
      autoRegister: readBoolean(env, 'CHARGING_AUTO_REGISTER'),
      heartbeatSeconds: readPositiveInt(env, 'CHARGING_HEARTBEAT_SECONDS', 300, 86_400),
      commandTimeoutSeconds: readPositiveInt(env, 'CHARGING_COMMAND_TIMEOUT_SECONDS', 30, 600),
    },
    mqttUrl,
    mqttPort: readPort(env, 'MQTT_PORT', 1884),
    mqttClientId,
    frigateTopicPrefix: topicPrefix('FRIGATE_TOPIC_PREFIX', 'frigate'),
    deviceTopicPrefix: topicPrefix('DEVICE_TOPIC_PREFIX', 'mutualis/devices'),
    evidence: {
      recordingsDir: path.resolve(readOptional(env, 'RECORDINGS_DIR') ?? path.join(dataDir, 'recordings')),
      packagesDir: path.resolve(readOptional(env, 'EVIDENCE_DIR') ?? path.join(dataDir, 'evidence')),
      signingKeyFile: path.resolve(signingKey ?? path.join(dataDir, 'evidence-signing-key.pem')),
      signingKeyGiven: signingKey !== undefined,
      retentionIntervalMinutes: readPositiveInt(env, 'EVIDENCE_RETENTION_INTERVAL_MINUTES', 60, 1440),
      scanIntervalSeconds: readPositiveInt(env, 'RECORDINGS_SCAN_INTERVAL_SECONDS', 60, 86_400),
    },
  };
}
