import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('server errors', () => {
  let t: TestPlatform;
  const logged: string[] = [];
  beforeAll(async () => {
    t = await startTestPlatform('pglite', {
      seed: false,
      http: {
        logger: { level: 'error', stream: { write: (line: string) => void logged.push(line) } },
        extend: async (app) => {
          app.get('/api/test/explode', { config: { public: true } }, async () => {
            throw new Error('secret connection string postgres://admin:hunter2@db');
          });
        },
      },
    });
  });
  afterAll(() => t?.close());

  it('answers 500 with a reference only, and logs the error under that reference', async () => {
    const res = await t.app.inject({ url: '/api/test/explode', headers: { 'x-request-id': 'req-12345' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Erreur interne. Référence : req-12345', details: [] } });
    expect(res.body).not.toContain('hunter2');
    expect(res.headers['x-request-id']).toBe('req-12345');
    const entry = logged.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-12345' && l.err);
    expect(entry.err.message).toContain('secret connection string');
  });

  it('reports an unreachable database in /api/health with 503', async () => {
    await t.platform.database.close();
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', database: { ok: false } });
  });
});
