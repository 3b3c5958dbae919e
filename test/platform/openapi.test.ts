import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

describe('OpenAPI description', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform('pglite', { seed: false });
  });
  afterAll(() => t?.close());

  it('is public, OpenAPI 3.1, and describes routes that exist', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Error', 'Site', 'Commune', 'Member', 'User']));
    const operations = Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const { path, method, op } of operations) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      expect(t.app.hasRoute({ url, method: method.toUpperCase() as 'GET' }), `${method} ${path}`).toBe(true);
      expect(Object.keys(op.responses).length, `${method} ${path} documents its responses`).toBeGreaterThan(0);
    }
    for (const required of ['/api/health', '/api/auth/login', '/api/sites', '/api/sites/{id}', '/api/communes', '/api/communes.geojson', '/api/audit', '/api/users', '/api/tokens']) {
      expect(doc.paths[required], required).toBeDefined();
    }
  });

  it('serves the documentation page', async () => {
    const res = await t.app.inject({ url: '/docs/' });
    expect([200, 302]).toContain(res.statusCode);
  });

  it('reports the database in /api/health without authentication', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.json()).toEqual({ status: 'ok', version: expect.any(String), database: { kind: 'pglite', ok: true }, mqtt: null });
  });
});
