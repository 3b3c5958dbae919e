import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.js';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const drivers = await testDrivers();

describe.each(drivers)('accounts and sessions on %s', (driver) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
  });
  afterAll(() => t?.close());

  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

  it('refuses a wrong password, then opens an HttpOnly SameSite session with the right one', async () => {
    const wrong = await login('operateur@mutualis.demo', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'invalid_credentials', message: 'Adresse e-mail ou mot de passe incorrect.' });
    // An unknown account gets the very same answer.
    expect((await login('nobody@mutualis.demo', 'x')).json().error.message).toBe(wrong.json().error.message);

    const right = await login('OPERATEUR@mutualis.demo', DEMO_PASSWORD);
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ user: { role: 'operator' }, member: { id: 'smo' }, roleLabel: 'Opérateur de supervision' });
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/mutualis_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(right.headers['x-content-type-options']).toBe('nosniff');
    expect(right.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('locks an account after five failures, tells until when, then lets it in once the lock is over', async () => {
    const email = 'technicien@mutualis.demo';
    for (let i = 0; i < 4; i++) expect((await login(email, 'wrong')).statusCode).toBe(401);
    const fifth = await login(email, 'wrong');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().error.code).toBe('account_locked');
    expect(fifth.json().error.message).toMatch(/verrouillé.*Réessayez après \d\d:\d\d/);
    // Locked: even the right password is refused.
    expect((await login(email, DEMO_PASSWORD)).statusCode).toBe(423);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('actor_label', '=', email).execute();
    expect(audit.map((a) => a.action)).toContain('auth.locked');

    await t.platform.database.db.updateTable('users').set({ locked_until: new Date(Date.now() - 1000) }).where('email', '=', email).execute();
    expect((await login(email, DEMO_PASSWORD)).statusCode).toBe(200);
  });

  it('slows repeated attempts on one account from one address with 429', async () => {
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await login('superviseur@mutualis.demo', DEMO_PASSWORD)).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const client = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
    const session = (await client.get('/api/auth/session')).json();
    const cookie = `mutualis_session=${(await login('admin@mutualis.demo', DEMO_PASSWORD)).cookies[0]!.value}`;
    const noToken = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie }, payload: { name: 'x' } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_failed');
    const wrongToken = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie, 'x-csrf-token': session.csrfToken }, payload: { name: 'x' } });
    expect(wrongToken.statusCode).toBe(403);
    expect((await client.post('/api/tokens', { name: 'x' })).statusCode).toBe(201);
  });

  it('accepts API tokens as Bearer, until they are revoked', async () => {
    const client = await ApiClient.signIn(t.app, 'acheteur@mutualis.demo');
    const created = (await client.post('/api/tokens', { name: 'ERP', expiresInDays: 30 })).json();
    expect(created.token).toMatch(/^mut_/);
    const bearer = { authorization: `Bearer ${created.token}` };
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: bearer });
    expect(me.json()).toMatchObject({ user: { email: 'acheteur@mutualis.demo' }, csrfToken: null });
    // No CSRF token is needed with a Bearer token.
    const write = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: bearer, payload: { name: 'second' } });
    expect(write.statusCode).toBe(201);
    const listed = (await client.get('/api/tokens')).json();
    expect(listed.find((x: { id: string }) => x.id === created.info.id).lastUsedAt).not.toBeNull();
    expect((await client.delete(`/api/tokens/${created.info.id}`)).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/sites', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/sites', headers: { authorization: 'Bearer mut_forged' } })).statusCode).toBe(401);
  });

  it('ends a session on logout and on expiry, and says so', async () => {
    const client = await ApiClient.signIn(t.app, 'auditeur@mutualis.demo');
    expect((await client.get('/api/audit?pageSize=1')).statusCode).toBe(200);
    await client.post('/api/auth/logout');
    expect((await client.get('/api/audit?pageSize=1')).statusCode).toBe(401);

    const again = await login('auditeur@mutualis.demo', DEMO_PASSWORD);
    const cookie = `mutualis_session=${again.cookies[0]!.value}`;
    await sql`update sessions set expires_at = now() - interval '1 second'`.execute(t.platform.database.db);
    const expired = await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/Session expirée/);
  });

  it('enforces the password policy and who may create which account', async () => {
    const admin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    const base = { email: 'nouvel.agent@clamart.fr', displayName: 'Nouvel Agent', role: 'member_agent', memberId: 'com-92023' };
    const weak = await admin.post('/api/users', { ...base, password: 'motdepasse' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().error.details[0].field).toBe('/body/password');
    expect((await admin.post('/api/users', { ...base, password: 'Un-Mot-De-Passe-Sûr-1', role: 'smo_admin' })).statusCode).toBe(403);
    expect((await admin.post('/api/users', { ...base, password: 'Un-Mot-De-Passe-Sûr-1', memberId: 'com-78646' })).statusCode).toBe(403);
    const created = await admin.post('/api/users', { ...base, password: 'Un-Mot-De-Passe-Sûr-1' });
    expect(created.statusCode).toBe(201);
    const duplicate = await admin.post('/api/users', { ...base, email: 'NOUVEL.AGENT@clamart.fr', password: 'Un-Mot-De-Passe-Sûr-1' });
    expect(duplicate.statusCode).toBe(409);
    expect((await login('nouvel.agent@clamart.fr', 'Un-Mot-De-Passe-Sûr-1')).statusCode).toBe(200);

    // A disabled account can no longer sign in.
    expect((await admin.patch(`/api/users/${created.json().id}`, { active: false })).statusCode).toBe(200);
    expect((await login('nouvel.agent@clamart.fr', 'Un-Mot-De-Passe-Sûr-1')).statusCode).toBe(401);
    // Users of another member are not listed.
    const users = (await admin.get('/api/users?pageSize=200')).json();
    expect(users.items.every((u: { memberId: string }) => u.memberId === 'com-92023')).toBe(true);
  });
});
