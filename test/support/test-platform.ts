import fs from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';
import { buildHttpApp, type HttpOptions } from '../../src/platform/http/app.js';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.js';
import { createScratchDatabase, type Driver } from './databases.js';

export interface TestPlatform {
  driver: Driver;
  platform: Platform;
  app: FastifyInstance;
  /** The server's own database URL (postgres driver only). */
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * A platform on a fresh database of the given driver, with the demo data unless told otherwise: a copy
 * of the run's template (test/support/global-setup.ts), migrated and seeded once for all files.
 */
export async function startTestPlatform(driver: Driver, options: { seed?: boolean; http?: HttpOptions; env?: Record<string, string> } = {}): Promise<TestPlatform> {
  const templates = inject('templates');
  const kind = options.seed === false ? 'bare' : 'seeded';
  if (driver === 'postgres' && !templates.postgres) throw new Error('no PostgreSQL template: the server was unreachable when the run started');
  const scratch = driver === 'postgres' ? await createScratchDatabase(templates.postgres![kind]) : undefined;
  const config = loadConfig({ NODE_ENV: 'test', ...(scratch && { DATABASE_URL: scratch.url }), ...options.env });
  const snapshot = driver === 'pglite' ? new Blob([fs.readFileSync(templates.pglite[kind])]) : undefined;
  const platform = await openPlatform(config, { inMemory: true, poolSize: 4, ...(snapshot && { snapshot }) });
  const app = await buildHttpApp(platform, { logger: false, ...options.http });
  await app.ready();
  return {
    driver,
    platform,
    app,
    databaseUrl: scratch?.url,
    async close() {
      await app.close();
      await platform.close();
      await scratch?.drop();
    },
  };
}

/** A signed-in client on the app: keeps the session cookie and sends the CSRF token on writes. */
export class ApiClient {
  private cookie = '';
  private csrf = '';

  constructor(private readonly app: FastifyInstance) {}

  static async signIn(app: FastifyInstance, email: string, password = DEMO_PASSWORD): Promise<ApiClient> {
    const client = new ApiClient(app);
    const res = await client.request('POST', '/api/auth/login', { email, password });
    if (res.statusCode !== 200) throw new Error(`login of ${email} failed: ${res.statusCode} ${res.body}`);
    return client;
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrf && method !== 'GET' && { 'x-csrf-token': this.csrf }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    const setCookie = res.cookies.find((c) => c.name === 'mutualis_session');
    if (setCookie) this.cookie = setCookie.value ? `mutualis_session=${setCookie.value}` : '';
    if (res.statusCode === 200 && res.headers['content-type']?.toString().includes('json')) {
      const json = res.json() as { csrfToken?: string | null };
      if (json && typeof json === 'object' && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    }
    return res;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);
}
