import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { SYSTEM_ACTOR } from '../../src/platform/audit/audit.service.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { DECEMBER, ipeText, JUNE, utf8 } from './files.js';

const drivers = await testDrivers();

// Clamart (92): outside the demo's fibre data, so that the figures below are this file's alone.
const CLAMART = JUNE.slice(0, 3).map((r, i) => ({ ...r, id: `IMB/92023/C${i}`, insee: '92023' }));

describe.each(drivers)('fibre API on %s', (driver) => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    // Tokens straight from the accounts service, as the CLI makes them: auditors may not create their own.
    for (const email of ['admin@mutualis.demo', 'acheteur@mutualis.demo', 'agent.versailles@mutualis.demo', 'auditeur@mutualis.demo']) {
      const user = await t.platform.accounts.findByEmail(email);
      tokens[email] = (await t.platform.accounts.createToken(SYSTEM_ACTOR, user!, 'tests fibre', null)).token;
    }
  });
  afterAll(() => t?.close());

  const as = (email: string | null) => (email ? { authorization: `Bearer ${tokens[email]}` } : {});
  const upload = (email: string | null, url: string, body: Buffer | string, contentType = 'text/csv') =>
    t.app.inject({ method: 'POST', url, headers: { ...as(email), 'content-type': contentType }, payload: body });
  const get = (email: string | null, url: string) => t.app.inject({ method: 'GET', url, headers: as(email) });

  it('lets SMO staff upload a file, and nobody else', async () => {
    const url = '/api/fibre/imports?operator=FIBRE92&date=2025-06-30&fileName=clamart.csv';
    expect((await upload(null, url, ipeText(CLAMART, 'l93'))).statusCode).toBe(401);
    const denied = await upload('agent.versailles@mutualis.demo', url, ipeText(CLAMART, 'l93'));
    expect(denied.statusCode).toBe(403);
    expect((await upload('auditeur@mutualis.demo', url, ipeText(CLAMART, 'l93'))).statusCode).toBe(403);

    const events: { topic: string; data: { id: string } }[] = [];
    const off = t.platform.bus.subscribe('fibre.import.completed', (e) => void events.push(e as never));
    const res = await upload('acheteur@mutualis.demo', url, utf8(ipeText(CLAMART, 'l93'), true), 'application/octet-stream');
    off();
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ outcome: 'accepted', import: { operator: 'FIBRE92', snapshotDate: '2025-06-30', fileName: 'clamart.csv', accepted: 3, importedBy: 'acheteur@mutualis.demo' }, rejects: [] });
    expect(events.map((e) => e.data.id)).toEqual([body.import.id]);

    const again = await upload('admin@mutualis.demo', url, utf8(ipeText(CLAMART, 'l93'), true));
    expect(again.statusCode).toBe(200);
    expect(again.json().outcome).toBe('unchanged');
  });

  it('refuses a bad file as a whole with the error shape, and records the refusal', async () => {
    const res = await upload('admin@mutualis.demo', '/api/fibre/imports?operator=FIBRE92&date=2025-07-31', ipeText(DECEMBER, 'l93', { separator: ',' }));
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'file_refused', message: expect.stringContaining('Mauvais séparateur'), details: [{ field: '/body', message: expect.stringContaining('« , »') }] });
    const refused = (await get('auditeur@mutualis.demo', '/api/fibre/imports?status=refused')).json();
    expect(refused.items[0]).toMatchObject({ operator: 'FIBRE92', snapshotDate: '2025-07-31', status: 'refused', refusal: expect.stringContaining('Mauvais séparateur') });

    expect((await upload('admin@mutualis.demo', '/api/fibre/imports?operator=fibre&date=2025-07-31', 'x')).statusCode).toBe(422);
    const json = await t.app.inject({ method: 'POST', url: '/api/fibre/imports?operator=FIBRE92&date=2025-07-31', headers: { ...as('admin@mutualis.demo'), 'content-type': 'application/json' }, payload: '{}' });
    expect(json.statusCode).toBe(400);
  });

  it('shows import history and rejects to SMO staff and auditors only', async () => {
    const bad = [...CLAMART, { ...CLAMART[0]!, id: 'IMB/92023/X', state: 'INCONNU' }];
    const created = (await upload('admin@mutualis.demo', '/api/fibre/imports?operator=FIBRE92&date=2025-08-31', ipeText(bad, 'wgs84'))).json();
    expect(created.rejects).toEqual([{ line: 5, buildingId: 'IMB/92023/X', reason: expect.stringContaining('état inconnu « INCONNU »') }]);
    const id = created.import.id;
    for (const email of ['admin@mutualis.demo', 'acheteur@mutualis.demo', 'auditeur@mutualis.demo']) {
      expect((await get(email, `/api/fibre/imports/${id}`)).statusCode).toBe(200);
      expect((await get(email, `/api/fibre/imports/${id}/rejects`)).json()).toMatchObject({ total: 1, items: [{ line: 5 }] });
    }
    expect((await get('agent.versailles@mutualis.demo', '/api/fibre/imports')).statusCode).toBe(403);
    expect((await get('agent.versailles@mutualis.demo', `/api/fibre/imports/${id}/rejects`)).statusCode).toBe(403);
    expect((await get('admin@mutualis.demo', '/api/fibre/imports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('gives every account the progress per commune, its history, its buildings, the programme and the exports', async () => {
    const agent = 'agent.versailles@mutualis.demo';
    const list = await get(agent, '/api/fibre/communes?departement=92&sort=-connectableDwellings');
    expect(list.statusCode).toBe(200);
    const clamart = list.json().items.find((c: { insee: string }) => c.insee === '92023');
    expect(clamart).toMatchObject({ name: 'Clamart', designated: false, dwellings: 7, connectableDwellings: 5, shareConnectable: 0.7143 });

    const history = (await get(agent, '/api/fibre/communes/92023')).json();
    const dates = history.points.filter((p: { dwellings: number }) => p.dwellings > 0).map((p: { date: string }) => p.date);
    expect(dates[0]).toBe('2025-06-30');
    expect(dates).toContain('2025-08-31');
    expect((await get(agent, '/api/fibre/communes/92023/buildings')).json().features).toHaveLength(3);
    expect((await get(agent, '/api/fibre/communes/78999')).statusCode).toBe(404);

    const map = (await get(agent, '/api/fibre/communes.geojson')).json();
    expect(map.features.find((f: { properties: { insee: string } }) => f.properties.insee === '92023').properties).toMatchObject({ shareConnectable: 0.7143 });

    const programme = (await get(agent, '/api/fibre/programme?limit=5')).json();
    expect(programme).toMatchObject({ targetHouseholds: 100_000, designatedCommunes: 187 });
    expect(programme.rankedByNeed).toHaveLength(5);

    const csv = await get(agent, '/api/fibre/export/communes.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('insee;commune;departement;population;programme;date_releve;immeubles;logements;logements_cible;logements_signe;logements_en_cours;logements_deploye;logements_abandonne;part_raccordable;evolution_raccordables');
    expect(lines.find((l) => l.startsWith('92023;'))).toMatch(/^92023;Clamart;92;\d+;non;[\d-]+;3;7;0;0;2;5;0;0.7143;/);
    const json = (await get(agent, '/api/fibre/export/communes.json')).json();
    expect(json.communes.length).toBe(lines.length - 1);

    expect((await get(null, '/api/fibre/communes')).statusCode).toBe(401);
  });
});
