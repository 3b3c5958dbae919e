import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { siteId } from './support.js';

const drivers = await testDrivers();

describe.each(drivers)('security devices and supervision centres on %s', (driver) => {
  let t: TestPlatform;
  let college: string;
  let townHall: string;
  let supervisor: ApiClient;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    college = await siteId(t.platform, 'Collège Jean Racine');
    townHall = await siteId(t.platform, 'Mairie de Clamart');
    supervisor = await ApiClient.signIn(t.app, 'superviseur@mutualis.demo');
  });
  afterAll(() => t?.close());

  it('declares cameras, readers and doors per site, with install date and maintainer', async () => {
    const door = await supervisor.post('/api/security/devices', { code: 'T-DOOR-1', name: 'Porte principale', kind: 'door', siteId: townHall, installDate: '2025-09-01', maintainer: 'Sécuritas' });
    expect(door.statusCode).toBe(201);
    expect(door.json()).toMatchObject({ code: 'T-DOOR-1', kind: 'door', siteName: 'Mairie de Clamart', memberId: 'com-92023', installDate: '2025-09-01', maintainer: 'Sécuritas', status: 'unknown' });
    const reader = await supervisor.post('/api/security/devices', { code: 'T-READER-1', name: 'Lecteur badge', kind: 'reader', model: 'badge', siteId: townHall, doorId: door.json().id });
    expect(reader.statusCode).toBe(201);
    expect(reader.json().doorId).toBe(door.json().id);
    const ptz = await supervisor.post('/api/security/devices', { code: 'T-CAM-1', name: 'Parvis', kind: 'camera', model: 'ptz', siteId: townHall, frigateCamera: 't_cam_1', streamRef: 'rtsp://nvr/1' });
    expect(ptz.json()).toMatchObject({ purposes: ['video_protection'], frigateCamera: 't_cam_1', zoneRestricted: false });

    const duplicate = await supervisor.post('/api/security/devices', { code: 'T-CAM-2', name: 'x', kind: 'camera', model: 'fixed', siteId: townHall, frigateCamera: 't_cam_1' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.message).toContain('t_cam_1');
    const noModel = await supervisor.post('/api/security/devices', { code: 'T-READER-2', name: 'x', kind: 'reader', siteId: townHall });
    expect(noModel.statusCode).toBe(422);
    expect(noModel.json().error.details).toEqual([{ field: '/body/model', message: expect.stringContaining('badge') }]);
  });

  it('refuses a thermal camera set to measure temperature, and keeps it to intrusion detection', async () => {
    const refused = await supervisor.post('/api/security/devices', { code: 'T-THERM-1', name: 'Thermique', kind: 'camera', model: 'thermal', siteId: townHall, purposes: ['temperature_measurement'] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toContain('la mesure de la température des personnes est interdite');
    const mixed = await supervisor.post('/api/security/devices', { code: 'T-THERM-1', name: 'Thermique', kind: 'camera', model: 'thermal', siteId: townHall, purposes: ['video_protection'] });
    expect(mixed.statusCode).toBe(422);
    const ok = await supervisor.post('/api/security/devices', { code: 'T-THERM-1', name: 'Thermique', kind: 'camera', model: 'thermal', siteId: townHall });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().purposes).toEqual(['intrusion_detection']);
    const turned = await supervisor.patch(`/api/security/devices/${ok.json().id}`, { purposes: ['intrusion_detection', 'temperature_measurement'] });
    expect(turned.statusCode).toBe(422);
    expect((await supervisor.get(`/api/security/devices/${ok.json().id}`)).json().purposes).toEqual(['intrusion_detection']);
  });

  it('asks a school camera for its zone and flags the zones the law excludes during opening hours', async () => {
    const noZone = await supervisor.post('/api/security/devices', { code: 'T-SCH-1', name: 'x', kind: 'camera', model: 'fixed', siteId: college });
    expect(noZone.statusCode).toBe(422);
    expect(noZone.json().error.details[0]).toMatchObject({ field: '/body/zone' });
    const entrance = await supervisor.post('/api/security/devices', { code: 'T-SCH-1', name: 'Entrée', kind: 'camera', model: 'fixed', siteId: college, zone: 'entrance' });
    expect(entrance.json()).toMatchObject({ zone: 'entrance', zoneRestricted: false });
    for (const zone of ['classroom', 'playground', 'canteen']) {
      const res = await supervisor.post('/api/security/devices', { code: `T-SCH-${zone}`, name: zone, kind: 'camera', model: 'fixed', siteId: college, zone });
      expect(res.json().zoneRestricted, zone).toBe(true);
    }
    // Outside a school, a canteen is not a school zone.
    const hall = await supervisor.post('/api/security/devices', { code: 'T-HALL-canteen', name: 'Cantine municipale', kind: 'camera', model: 'fixed', siteId: townHall, zone: 'canteen' });
    expect(hall.json().zoneRestricted).toBe(false);
  });

  it('shows an operator only the sites of the supervision centre they serve', async () => {
    const operator = await ApiClient.signIn(t.app, 'operateur@mutualis.demo');
    const operatorId = (await t.platform.accounts.findByEmail('operateur@mutualis.demo'))!.id;
    // A centre covering the town hall's member (Clamart) only.
    const centre = await supervisor.post('/api/security/centres', { name: 'Centre test Clamart', memberIds: ['com-92023'] });
    expect(centre.statusCode).toBe(201);
    expect((await supervisor.request('PUT', `/api/security/operators/${operatorId}`, { centreId: centre.json().id })).statusCode).toBe(204);

    const seen = (await operator.get('/api/security/devices?pageSize=200')).json();
    expect(seen.items.length).toBeGreaterThan(0);
    expect(seen.items.every((d: { siteId: string }) => d.siteId === townHall)).toBe(true);
    const collegeCamera = (await supervisor.get(`/api/security/devices?siteId=${college}`)).json().items[0];
    expect((await operator.get(`/api/security/devices/${collegeCamera.id}`)).statusCode).toBe(404);

    // Adding the collège by site widens the operator's view.
    await supervisor.request('PUT', `/api/security/centres/${centre.json().id}`, { name: 'Centre test Clamart', memberIds: ['com-92023'], siteIds: [college] });
    expect((await operator.get(`/api/security/devices/${collegeCamera.id}`)).statusCode).toBe(200);

    // Serving no centre: nothing.
    await supervisor.request('PUT', `/api/security/operators/${operatorId}`, { centreId: null });
    expect((await operator.get('/api/security/devices')).json().total).toBe(0);
    expect((await operator.post('/api/security/devices', { code: 'X', name: 'x', kind: 'door', siteId: townHall })).statusCode).toBe(403);
  });

  it('lets members read their own devices only, and nobody else write them', async () => {
    const clamart = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    const mine = (await clamart.get('/api/security/devices?pageSize=200')).json();
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((d: { memberId: string }) => d.memberId === 'com-92023')).toBe(true);
    expect((await clamart.post('/api/security/devices', { code: 'X', name: 'x', kind: 'door', siteId: townHall })).statusCode).toBe(403);
    const school = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    expect((await school.get('/api/security/devices')).statusCode).toBe(403);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'security.%').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['security.device.create', 'security.centre.create', 'security.operator.assign']));
  });
});

describe.each(drivers)('site security studies on %s', (driver) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
  });
  afterAll(() => t?.close());

  it('keeps a study per site with its risk matrix and measures, checked, audited and scoped', async () => {
    const college = await siteId(t.platform, 'Collège Jean Racine');
    const supervisor = await ApiClient.signIn(t.app, 'superviseur@mutualis.demo');
    const demo = (await supervisor.get(`/api/security/studies/${college}`)).json();
    expect(demo).toMatchObject({ siteName: 'Collège Jean Racine', memberId: 'dep-78', totalCostEuros: 21_100 });
    // R1: likelihood 3, impact 3.
    expect(demo.matrix[2][2]).toEqual(['R1']);
    const bad = await supervisor.request('PUT', `/api/security/studies/${college}`, { summary: 'x', threats: [], risks: [{ id: 'R9', threatId: 'T9', vulnerability: 'v', likelihood: 2, impact: 2 }], measures: [] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toContain('menace inconnue : T9');
    const outOfScale = await supervisor.request('PUT', `/api/security/studies/${college}`, { summary: 'x', threats: [], risks: [{ id: 'R1', threatId: 'T1', vulnerability: 'v', likelihood: 5, impact: 2 }], measures: [] });
    expect(outOfScale.statusCode).toBe(422);
    const townHall = await siteId(t.platform, 'Mairie de Clamart');
    const saved = await supervisor.request('PUT', `/api/security/studies/${townHall}`, {
      summary: 'Mairie',
      threats: [{ id: 'T1', label: 'Intrusion', description: '' }],
      risks: [{ id: 'R1', threatId: 'T1', vulnerability: 'Porte arrière', likelihood: 4, impact: 4 }],
      measures: [{ id: 'M1', label: 'Contact de porte', riskIds: ['R1'], costEuros: 900, status: 'proposed' }],
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ totalCostEuros: 900, updatedBy: 'superviseur@mutualis.demo' });
    // Clamart's administrator reads Clamart's study only; the operator has no access to studies.
    const clamart = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    expect((await clamart.get('/api/security/studies')).json().map((s: { siteName: string }) => s.siteName)).toEqual(['Mairie de Clamart']);
    expect((await clamart.get(`/api/security/studies/${college}`)).statusCode).toBe(403);
    expect((await clamart.request('PUT', `/api/security/studies/${townHall}`, { summary: 'x', threats: [], risks: [], measures: [] })).statusCode).toBe(403);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', townHall).execute();
    expect(audit.map((a) => a.action)).toContain('security.study.save');
  });
});
