import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDrivers } from '../support/databases.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { DELIVERY_TOPIC } from '../../src/modules/education/index.js';
import { delivery, expectStatus, JULES_FERRY, PETIT_CLAMART, sample, sampleOnde } from './helpers.js';

const drivers = await testDrivers();

describe.each(drivers)('education assets on %s', (driver) => {
  let t: TestPlatform;
  let admin: ApiClient;
  let director: ApiClient;
  let schools: Record<string, string>;
  beforeAll(async () => {
    t = await startTestPlatform(driver);
    admin = await ApiClient.signIn(t.app, 'admin.clamart@mutualis.demo');
    director = await ApiClient.signIn(t.app, 'ecole.clamart@mutualis.demo');
    schools = Object.fromEntries(expectStatus<{ id: string; uai: string }[]>(await admin.get('/api/education/schools'), 200).map((s) => [s.uai, s.id]));
    expectStatus(await director.post('/api/education/imports/onde', sampleOnde()), 200);
  });
  afterAll(() => t?.close());

  const upload = async (email: string, body: Buffer | string) => {
    const token = (await t.platform.accounts.createToken({ id: null, label: 'test' }, (await t.platform.accounts.findByEmail(email))!, 'test', null)).token;
    return t.app.inject({ method: 'POST', url: '/api/education/assets/imports', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: body });
  };
  const assetBySerial = async (serial: string) => expectStatus<any>(await admin.get(`/api/education/assets/by-serial/${serial}`), 200);

  it('imports the asset sample into several schools and a member’s stock, rejecting bad lines', async () => {
    const res = expectStatus<any>(await upload('admin.clamart@mutualis.demo', sample('equipements.csv')), 200);
    expect(res).toMatchObject({ lines: 9, created: 5, encoding: 'utf-8' });
    expect(res.rejects.map((r: any) => [r.line, r.reason])).toEqual([
      [7, 'numéro de série en double dans le fichier (déjà ligne 2)'],
      [8, 'UAI inconnu : 0929999Z'],
      [9, expect.stringMatching(/type inconnu « scanner »/)],
      [10, expect.stringMatching(/date d’achat invalide « 31\/02\/2026 »/)],
    ]);
    const robot = await assetBySerial('SMP-ROB-0001');
    expect(robot).toMatchObject({ schoolId: schools[PETIT_CLAMART], type: 'robot', unitPrice: 89.9, state: 'in_stock' });
    expect((await assetBySerial('SMP-RAD-0001')).schoolId).toBeNull();
    // Importing the same file again: every serial is already registered, nothing is created.
    const again = expectStatus<any>(await upload('admin.clamart@mutualis.demo', sample('equipements.csv')), 200);
    expect(again.created).toBe(0);
    expect(again.rejects.filter((r: any) => /déjà enregistré/.test(r.reason))).toHaveLength(5);
    // Missing column: the whole file is refused.
    const refused = await upload('admin.clamart@mutualis.demo', 'UAI;Type;Libellé\n0921234S;tablet;Tablette\n');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.message).toMatch(/colonne manquante : Numéro de série/);
    // School staff do not register equipment; a town's administrator imports into its own schools only.
    expect((await upload('ecole.clamart@mutualis.demo', 'UAI;Type;Numéro de série;Libellé\n0921234S;microphone;MIC-0001;Micro\n')).statusCode).toBe(403);
    const outside = expectStatus<any>(await upload('admin.vgp@mutualis.demo', 'UAI;Type;Numéro de série;Libellé\n0921234S;microphone;MIC-0001;Micro\n'), 200);
    expect(outside.rejects).toEqual([{ line: 2, serial: 'MIC-0001', reason: 'hors de votre périmètre : 0921234S' }]);
  });

  it('assigns a device once (409 the second time), checks it in, and keeps its full history', async () => {
    const tablet = await assetBySerial('SMP-TAB-0001');
    const pupil = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?q=JF26-004`), 200).items[0];
    const holder = { kind: 'pupil', pupilId: pupil.id };
    const assigned = expectStatus<any>(await director.post(`/api/education/assets/${tablet.id}/assign`, { schoolId: schools[JULES_FERRY], holder }), 200);
    expect(assigned).toMatchObject({ state: 'assigned', holder: 'Élève Dorian N.' });
    const twice = await director.post(`/api/education/assets/${tablet.id}/assign`, { schoolId: schools[JULES_FERRY], holder });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/déjà attribué/);
    const room = await director.post(`/api/education/assets/${tablet.id}/assign`, { schoolId: schools[JULES_FERRY], holder: { kind: 'room', room: 'Salle 3' } });
    expect(room.statusCode).toBe(409);
    expect(expectStatus<any>(await director.post(`/api/education/assets/${tablet.id}/check-in`), 200).state).toBe('in_stock');
    expect((await director.post(`/api/education/assets/${tablet.id}/check-in`)).statusCode).toBe(409);
    const detail = expectStatus<any>(await director.get(`/api/education/assets/${tablet.id}`), 200);
    expect(detail.history.map((h: any) => [h.event, h.fromState, h.toState])).toEqual([
      ['import', null, 'in_stock'],
      ['assign', 'in_stock', 'assigned'],
      ['check_in', 'assigned', 'in_stock'],
    ]);
    const audit = await t.platform.database.db.selectFrom('audit_log').select('action').where('entity_id', '=', tablet.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['education.asset.assign', 'education.asset.check_in']);
    // A device of another school is not the director's to see.
    const robot = await assetBySerial('SMP-ROB-0001');
    expect((await director.get(`/api/education/assets/${robot.id}`)).statusCode).toBe(404);
    expect((await director.post(`/api/education/assets/${robot.id}/assign`, { schoolId: schools[JULES_FERRY], holder: { kind: 'room', room: 'Salle 1' } })).statusCode).toBe(404);
  });

  it('assigns a class set from stock (all or nothing), then checks the class back in', async () => {
    const classes = expectStatus<any[]>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/classes`), 200);
    const cpB = classes.find((c) => c.name === 'CP B');
    expect(cpB.pupils).toBe(3);
    // Jules Ferry's stock of demo tablets is 6 plus the 2 imported: enough for 3 pupils.
    const stockBefore = expectStatus<any>(await director.get(`/api/education/assets?schoolId=${schools[JULES_FERRY]}&type=tablet&state=in_stock&pageSize=1`), 200).total;
    const set = expectStatus<any>(await director.post(`/api/education/classes/${cpB.id}/class-set`, { type: 'tablet' }), 200);
    expect(set.assigned).toHaveLength(3);
    expect(expectStatus<any>(await director.get(`/api/education/assets?schoolId=${schools[JULES_FERRY]}&type=tablet&state=in_stock&pageSize=1`), 200).total).toBe(stockBefore - 3);
    // Everyone has one now: a second class set assigns nothing.
    expect(expectStatus<any>(await director.post(`/api/education/classes/${cpB.id}/class-set`, { type: 'tablet' }), 200).assigned).toEqual([]);
    const pupils = expectStatus<any>(await director.get(`/api/education/schools/${schools[JULES_FERRY]}/pupils?classId=${cpB.id}`), 200).items;
    expect(pupils.every((p: any) => p.tablet)).toBe(true);

    // Not enough robots in stock (none): 409 and nothing assigned.
    const short = await director.post(`/api/education/classes/${cpB.id}/class-set`, { type: 'robot' });
    expect(short.statusCode).toBe(409);
    expect(short.json().error.message).toMatch(/Stock insuffisant : 3 élève\(s\).*0 en stock/);

    expect(expectStatus<any>(await director.post(`/api/education/classes/${cpB.id}/check-in`, { type: 'tablet' }), 200).returned).toBe(3);
    expect(expectStatus<any>(await director.get(`/api/education/assets?schoolId=${schools[JULES_FERRY]}&type=tablet&state=in_stock&pageSize=1`), 200).total).toBe(stockBefore);
  });

  it('audits a room by scanned serials: expected, found, missing, unexpected', async () => {
    const inRoom = expectStatus<any>(await director.get(`/api/education/assets?schoolId=${schools[JULES_FERRY]}&q=salle%201&pageSize=50`), 200).items.filter((a: any) => a.room === 'Salle 1');
    expect(inRoom.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = inRoom.map((a: any) => a.serial);
    const report = expectStatus<any>(await director.post(`/api/education/schools/${schools[JULES_FERRY]}/room-audits`, { room: 'Salle 1', serials: [first, 'SMP-ROB-0001', 'NOPE-123', first] }), 200);
    expect(report.expected).toBe(inRoom.length);
    expect(report.found).toEqual([first]);
    expect(report.missing.map((m: any) => m.serial).sort()).toEqual(rest.sort());
    expect(report.unexpected).toEqual([
      { serial: 'SMP-ROB-0001', registeredAt: 'autre école' },
      { serial: 'NOPE-123', registeredAt: 'inconnu du registre' },
    ]);
  });

  it('creates assets from a purchasing delivery, idempotently, and records a rejected delivery', async () => {
    const bus = t.platform.bus;
    const event = delivery({ deliverySiteId: schools[JULES_FERRY] });
    await bus.publish({ topic: DELIVERY_TOPIC, memberId: 'com-92023', data: event });
    const created = expectStatus<any>(await admin.get('/api/education/assets?q=BC-2026-0420&pageSize=50'), 200);
    const delivered = await t.platform.database.db.selectFrom('edu_assets').select(['serial', 'type', 'unit_price', 'school_id', 'order_ref', 'supplier', 'purchase_date']).where('order_ref', '=', 'BC-2026-0420').orderBy('serial').execute();
    expect(delivered).toHaveLength(4);
    expect(delivered.filter((a) => a.serial.startsWith('DLV-TAB-')).map((a) => a.serial)).toEqual(['DLV-TAB-1', 'DLV-TAB-2']);
    expect(delivered.filter((a) => a.serial.startsWith('PROV-'))).toHaveLength(2);
    expect(delivered.every((a) => a.school_id === schools[JULES_FERRY] && a.supplier === 'Numérique Scolaire SA' && a.purchase_date === '2026-10-15')).toBe(true);
    expect(Number(delivered.find((a) => a.serial === 'DLV-TAB-1')!.unit_price)).toBe(329.5);
    expect(created.total).toBe(4);

    // The same event again (a redelivery of the message) creates nothing more.
    await bus.publish({ topic: DELIVERY_TOPIC, memberId: 'com-92023', data: event });
    expect(await t.platform.database.db.selectFrom('edu_assets').select('id').where('order_ref', '=', 'BC-2026-0420').execute()).toHaveLength(4);

    // A bad payload and a clashing serial are recorded as rejected, the publisher is not disturbed.
    await bus.publish({ topic: DELIVERY_TOPIC, memberId: 'com-92023', data: { ...delivery({ deliveryId: 'delivery-2' }), lines: [{ orderLineId: 'x', quantity: -1 }] } });
    await bus.publish({ topic: DELIVERY_TOPIC, memberId: 'com-92023', data: delivery({ deliveryId: 'delivery-3' }, [{ orderLineId: 'l', itemReference: 'r', itemLabel: 'Tablette', category: 'tablet', quantity: 1, unitPriceExclVat: 300, serialNumbers: ['DLV-TAB-1'] }]) });
    await bus.publish({ topic: DELIVERY_TOPIC, memberId: 'com-92023', data: delivery({ deliveryId: 'delivery-4', lotCode: 'video-protection' }) });
    const deliveries = expectStatus<any[]>(await admin.get('/api/education/deliveries'), 200);
    const byId = Object.fromEntries(deliveries.map((d) => [d.deliveryId, d]));
    expect(byId['delivery-1']).toMatchObject({ status: 'accepted', assets: 4 });
    expect(byId['delivery-2']).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/contenu invalide/) });
    expect(byId['delivery-3']).toMatchObject({ status: 'rejected', reason: 'numéro de série déjà enregistré : DLV-TAB-1' });
    expect(byId['delivery-4']).toBeUndefined();
  });
});
