import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const drivers = await testDrivers();

/**
 * Sites through the HTTP API, written out by hand: for each demo account, what each action gives on a
 * site of the EPCI Versailles Grand Parc, of Versailles (a commune of that EPCI) and of Clamart.
 * r/u/d/c: read (GET), update (PATCH), delete (DELETE), create (POST for that member).
 * 200/201/204 allowed, 403 visible but forbidden, 404 not visible at all.
 */
const MATRIX: Record<string, Record<'vgp' | 'versailles' | 'clamart', { r: number; u: number; d: number; c: number }>> = {
  'admin@mutualis.demo': { vgp: { r: 200, u: 200, d: 204, c: 201 }, versailles: { r: 200, u: 200, d: 204, c: 201 }, clamart: { r: 200, u: 200, d: 204, c: 201 } },
  'acheteur@mutualis.demo': { vgp: { r: 200, u: 200, d: 403, c: 201 }, versailles: { r: 200, u: 200, d: 403, c: 201 }, clamart: { r: 200, u: 200, d: 403, c: 201 } },
  'admin.vgp@mutualis.demo': { vgp: { r: 200, u: 200, d: 204, c: 201 }, versailles: { r: 200, u: 200, d: 204, c: 201 }, clamart: { r: 404, u: 404, d: 404, c: 403 } },
  'agent.versailles@mutualis.demo': { vgp: { r: 404, u: 404, d: 404, c: 403 }, versailles: { r: 200, u: 200, d: 403, c: 201 }, clamart: { r: 404, u: 404, d: 404, c: 403 } },
  'admin.clamart@mutualis.demo': { vgp: { r: 404, u: 404, d: 404, c: 403 }, versailles: { r: 404, u: 404, d: 404, c: 403 }, clamart: { r: 200, u: 200, d: 204, c: 201 } },
  'ecole.clamart@mutualis.demo': { vgp: { r: 404, u: 404, d: 404, c: 403 }, versailles: { r: 404, u: 404, d: 404, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
  'operateur@mutualis.demo': { vgp: { r: 200, u: 403, d: 403, c: 403 }, versailles: { r: 200, u: 403, d: 403, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
  'superviseur@mutualis.demo': { vgp: { r: 200, u: 403, d: 403, c: 403 }, versailles: { r: 200, u: 403, d: 403, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
  'opj@mutualis.demo': { vgp: { r: 200, u: 403, d: 403, c: 403 }, versailles: { r: 200, u: 403, d: 403, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
  'technicien@mutualis.demo': { vgp: { r: 200, u: 403, d: 403, c: 403 }, versailles: { r: 200, u: 403, d: 403, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
  'auditeur@mutualis.demo': { vgp: { r: 200, u: 403, d: 403, c: 403 }, versailles: { r: 200, u: 403, d: 403, c: 403 }, clamart: { r: 200, u: 403, d: 403, c: 403 } },
};

const PLACES = {
  vgp: { memberId: 'epci-247800584', longitude: 2.1296, latitude: 48.8014 },
  versailles: { memberId: 'com-78646', longitude: 2.1296, latitude: 48.8014 },
  clamart: { memberId: 'com-92023', longitude: 2.2654, latitude: 48.8006 },
} as const;

describe.each(drivers)('site authorisation matrix over HTTP on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  let n = 0;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin@mutualis.demo');
  });
  afterAll(() => t?.close());

  async function siteOf(place: keyof typeof PLACES): Promise<string> {
    const res = await admin.post('/api/sites', { kind: 'other', name: `Site ${place} ${++n}`, address: 'adresse', ...PLACES[place] });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }

  const cases = Object.entries(MATRIX).flatMap(([email, row]) => Object.entries(row).map(([place, expected]) => ({ email, place: place as keyof typeof PLACES, expected })));

  it.each(cases)('$email on a site of $place', async ({ email, place, expected }) => {
    const client = await ApiClient.signIn(t.app, email);
    const id = await siteOf(place);
    const got = {
      r: (await client.get(`/api/sites/${id}`)).statusCode,
      u: (await client.patch(`/api/sites/${id}`, { notes: `vu par ${email}` })).statusCode,
      d: (await client.delete(`/api/sites/${id}`)).statusCode,
      c: (await client.post('/api/sites', { kind: 'other', name: `Créé par ${email} ${++n}`, address: 'adresse', ...PLACES[place] })).statusCode,
    };
    expect(got).toEqual(expected);
    // What a list shows agrees with what a read allows.
    const listed = (await client.get(`/api/sites?memberId=${PLACES[place].memberId}&pageSize=200`)).json();
    const visible = listed.items.some((s: { id: string }) => s.id === id);
    expect(visible).toBe(expected.r === 200 && expected.d !== 204);
  });
});
