import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import ajvFormats from 'ajv-formats';
import { Type } from 'typebox';
import type { Platform } from '../platform.js';
import { pingDatabase } from '../db/database.js';
import { installErrorHandling } from './errors.js';
import { ErrorResponse } from './schemas.js';
import { authPlugin } from '../auth/http-auth.js';
import { authRoutes } from '../auth/auth.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { territoryRoutes } from '../../modules/territory/index.js';
import { fibreRoutes } from '../../modules/fibre/index.js';
import { purchasingRoutes } from '../../modules/purchasing/index.js';
import { educationRoutes } from '../../modules/education/index.js';
import { chargingRoutes, irveOpenDataRoutes } from '../../modules/charging/index.js';
import { securityRoutes } from '../../modules/security/index.js';
import { evidenceRoutes } from '../../modules/evidence/index.js';
import { streamRoutes } from '../live/stream.routes.js';

export const API_VERSION = '0.1.0';

/** The device bus of the security module; null when ingestion is not started (CLI, some tests). A lost broker does not make the service unavailable. */
const MqttHealth = Type.Union([
  Type.Null(),
  Type.Object({
    mode: Type.String({ description: 'embedded (courtier intégré) ou external (MQTT_URL)' }),
    url: Type.String(),
    connected: Type.Boolean(),
    since: Type.Union([Type.Null(), Type.String()]),
    lastError: Type.Union([Type.Null(), Type.String()]),
    reconnects: Type.Integer(),
  }),
]);

export interface HttpOptions {
  /** Pino logger options; false silences the logs (tests). */
  logger?: boolean | object;
  /** Extra plugins registered after the API (the console, live updates). */
  extend?: (app: FastifyInstance) => Promise<void>;
}

export async function buildHttpApp(platform: Platform, options: HttpOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const app = Fastify({
    // OCPP security profile 2: with a certificate the API and the stations' WebSockets are served over TLS.
    ...(config.tls && { https: { cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) } }),
    logger: options.logger ?? { level: config.logLevel },
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' && /^[\w-]{1,64}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : randomUUID()),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true },
      plugins: [ajvFormats as never],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addSchema(ErrorResponse);
  installErrorHandling(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(config.tileUrl ? [new URL(config.tileUrl.replace(/[{}]/g, '')).origin] : [])],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: config.nodeEnv === 'production',
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mutualis API',
        version: API_VERSION,
        description:
          "API de la plateforme Mutualis du syndicat mixte ouvert. Authentification par cookie de session (console, avec l'en-tête X-CSRF-Token sur les écritures) ou par jeton d'API (`Authorization: Bearer`). Les listes prennent `q`, `page`, `pageSize` et `sort` et répondent `{items, total, page, pageSize}` ; les erreurs ont la forme `{error: {code, message, details}}`.",
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'mutualis_session' }, bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }, { bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(authPlugin, { accounts: platform.accounts });

  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        tags: ['platform'],
        summary: 'État du service et de sa base de données',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), database: Type.Object({ kind: Type.String(), ok: Type.Boolean() }), mqtt: MqttHealth }),
          503: Type.Object({ status: Type.Literal('unavailable'), version: Type.String(), database: Type.Object({ kind: Type.String(), ok: Type.Boolean(), error: Type.String() }), mqtt: MqttHealth }),
        },
      },
    },
    async (request, reply) => {
      try {
        await pingDatabase(platform.database.db);
        return { status: 'ok' as const, version: API_VERSION, database: { kind: platform.database.kind, ok: true }, mqtt: platform.security.mqttState() };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ status: 'unavailable' as const, version: API_VERSION, database: { kind: platform.database.kind, ok: false, error: 'base de données injoignable' }, mqtt: platform.security.mqttState() });
      }
    },
  );
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(authRoutes, { db: platform.database.db, accounts: platform.accounts, members: platform.territory.directory, secureCookies: config.nodeEnv === 'production' });
  await app.register(auditRoutes, { db: platform.database.db });
  await app.register(territoryRoutes, { territory: platform.territory });
  await app.register(fibreRoutes, { fibre: platform.fibre });
  await app.register(purchasingRoutes, { purchasing: platform.purchasing, buyer: { name: 'Syndicat mixte Mutualis (centrale d’achat)', siret: config.smoSiret } });
  await app.register(educationRoutes, { education: platform.education });
  await app.register(chargingRoutes, { charging: platform.charging.service, central: platform.charging.central, indicators: platform.charging.indicators });
  await app.register(irveOpenDataRoutes, { charging: platform.charging.service, contact: config.charging.operatorContact });
  await app.register(securityRoutes, { security: platform.security });
  await app.register(evidenceRoutes, { evidence: platform.evidence, devices: platform.security.devices });
  await app.register(streamRoutes, { bus: platform.bus, accounts: platform.accounts });
  if (options.extend) await options.extend(app);
  return app;
}
