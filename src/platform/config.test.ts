import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database on 127.0.0.1:8080', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, nodeEnv: 'development' });
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.educationRetentionMonths).toBe(12);
  });

  it('reads the charging settings, with the SMO prefix by default', () => {
    expect(loadConfig({}).charging).toEqual({ operatorPrefix: 'FRS78', operatorContact: 'recharge@mutualis.fr', autoRegister: false, heartbeatSeconds: 300, commandTimeoutSeconds: 30 });
    expect(loadConfig({ CHARGING_OPERATOR_PREFIX: 'FRA92', CHARGING_AUTO_REGISTER: 'true' }).charging).toMatchObject({ operatorPrefix: 'FRA92', autoRegister: true });
    expect(loadConfig({}).tls).toBeUndefined();
  });

  it('defaults the device bus to the embedded broker on 1884 and Frigate\'s topic prefix', () => {
    expect(loadConfig({})).toMatchObject({ mqttUrl: undefined, mqttPort: 1884, frigateTopicPrefix: 'frigate', deviceTopicPrefix: 'mutualis/devices', mqttClientId: 'mutualis-security' });
    expect(loadConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883' }).mqttUrl).toBe('mqtt://127.0.0.1:1883');
  });

  it('takes a postgres:// URL as the PostgreSQL server', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/m' }).databaseUrl).toBe('postgres://u@db:5432/m');
  });

  it('takes the SMO SIRET from SMO_SIRET, with a Luhn-valid demo default', () => {
    expect(loadConfig({}).smoSiret).toMatch(/^\d{14}$/);
    expect(loadConfig({ SMO_SIRET: ' 73282932000074 ' }).smoSiret).toBe('73282932000074');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ MUTUALIS_ADMIN_EMAIL: 'admin@x.fr' }, 'MUTUALIS_ADMIN_PASSWORD'],
    [{ MUTUALIS_ADMIN_EMAIL: 'nope', MUTUALIS_ADMIN_PASSWORD: 'x' }, 'MUTUALIS_ADMIN_EMAIL'],
    [{ TILE_URL: 'https://tiles.example/plan.png' }, 'TILE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SMO_SIRET: '25780012300017' }, 'SMO_SIRET'],
    [{ SMO_SIRET: '257800123' }, 'SMO_SIRET'],
    [{ EDUCATION_PUPIL_RETENTION_MONTHS: 'a year' }, 'EDUCATION_PUPIL_RETENTION_MONTHS'],
    [{ EDUCATION_PUPIL_RETENTION_MONTHS: '0' }, 'EDUCATION_PUPIL_RETENTION_MONTHS'],
    [{ TLS_CERT: '/etc/hostname' }, 'TLS_KEY'],
    [{ TLS_CERT: '/nonexistent.pem', TLS_KEY: '/etc/hostname' }, 'TLS_CERT'],
    [{ CHARGING_OPERATOR_PREFIX: 'FR-S78' }, 'CHARGING_OPERATOR_PREFIX'],
    [{ CHARGING_OPERATOR_CONTACT: 'nobody' }, 'CHARGING_OPERATOR_CONTACT'],
    [{ CHARGING_AUTO_REGISTER: 'maybe' }, 'CHARGING_AUTO_REGISTER'],
    [{ CHARGING_HEARTBEAT_SECONDS: '0' }, 'CHARGING_HEARTBEAT_SECONDS'],
    [{ CHARGING_COMMAND_TIMEOUT_SECONDS: 'soon' }, 'CHARGING_COMMAND_TIMEOUT_SECONDS'],
    [{ MQTT_URL: 'http://broker:1883' }, 'MQTT_URL'],
    [{ MQTT_PORT: '99999' }, 'MQTT_PORT'],
    [{ FRIGATE_TOPIC_PREFIX: 'frigate/#' }, 'FRIGATE_TOPIC_PREFIX'],
    [{ DEVICE_TOPIC_PREFIX: 'devices/' }, 'DEVICE_TOPIC_PREFIX'],
    [{ MQTT_CLIENT_ID: 'a b' }, 'MQTT_CLIENT_ID'],
  ])('rejects %o naming %s', (env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(variable);
    }
  });
});
