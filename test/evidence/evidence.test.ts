import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar';
import { testDrivers } from '../support/databases.js';
import { mutualisCli } from '../support/cli.js';
import { ApiClient, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { verifyPackage } from '../../src/modules/evidence/index.js';
import { frigatePath, genericPath, makeClip, placeRecording, sh, tempDir } from './support.js';

const drivers = await testDrivers();
const clipsDir = tempDir('clips');
const clips = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((n) => makeClip(path.join(clipsDir, `clip-${n}.mp4`), 2, `clip ${n}`)));
const DAY = 86_400_000;
const sha256sumOf = async (file: string) => (await sh('sha256sum', [file], '/')).stdout.split(' ')[0];

describe.each(drivers)('video evidence on %s', (driver) => {
  let t: TestPlatform;
  let recordings: string;
  let evidenceDir: string;
  let supervisor: ApiClient;
  let vgp: ApiClient;
  let clamart: ApiClient;
  let opj: ApiClient;
  let auditor: ApiClient;
  let townHall: string;
  let gym: string;
  const cameras = new Map<string, string>();
  // Recordings of two hours ago: [base, base+2s], [base+10s, base+12s], [base+20s, base+22s] on DEMO-CAM-06.
  const base = new Date(Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000);
  const at = (seconds: number) => new Date(base.getTime() + seconds * 1000);
  /** A requisition of the Versailles prosecutor on one camera over [from, to] seconds after base. */
  const requisitionBody = (number: string, camera: string, siteId: string, from: number, to: number) => ({
    number,
    siteId,
    authority: 'Parquet de Versailles',
    officerName: 'Lieutenant Durand',
    officerService: 'Gendarmerie',
    legalBasis: 'art. 60-1 du code de procédure pénale',
    cameraIds: [cameras.get(camera)],
    from: at(from).toISOString(),
    to: at(to).toISOString(),
    deadline: '2026-12-31',
  });
  let requisitionA: { id: string };
  let requisitionB: { id: string };
  let packageB: { id: string; name: string };

  beforeAll(async () => {
    recordings = tempDir('recordings');
    evidenceDir = tempDir('evidence');
    t = await startTestPlatform(driver, { env: { RECORDINGS_DIR: recordings, EVIDENCE_DIR: evidenceDir } });
    const signIn = (who: string) => ApiClient.signIn(t.app, `${who}@mutualis.demo`);
    [supervisor, vgp, clamart, opj, auditor] = await Promise.all([signIn('superviseur'), signIn('admin.vgp'), signIn('admin.clamart'), signIn('opj'), signIn('auditeur')]);
    const devices = (await supervisor.get('/api/security/devices?kind=camera&pageSize=200')).json().items as Array<{ id: string; code: string; siteId: string; siteName: string }>;
    for (const d of devices) cameras.set(d.code, d.id);
    townHall = devices.find((d) => d.code === 'DEMO-CAM-06')!.siteId;
    gym = devices.find((d) => d.code === 'DEMO-CAM-09')!.siteId;
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(recordings, { recursive: true, force: true });
    fs.rmSync(evidenceDir, { recursive: true, force: true });
  });

  it('indexes Frigate and generic layouts with each file’s SHA-256 and MP4 duration, and says why it skips a file', async () => {
    placeRecording(recordings, frigatePath('demo_cam_06', at(0)), clips[0]!);
    placeRecording(recordings, frigatePath('demo_cam_06', at(10)), clips[1]!);
    placeRecording(recordings, frigatePath('demo_cam_06', at(20)), clips[2]!);
    placeRecording(recordings, genericPath('DEMO-CAM-07', at(0)), clips[3]!);
    placeRecording(recordings, genericPath('DEMO-CAM-07', at(10)), clips[4]!);
    placeRecording(recordings, frigatePath('unknown_cam', at(0)), clips[0]!);
    placeRecording(recordings, 'exports/readme.mp4', clips[0]!);
    placeRecording(recordings, frigatePath('demo_cam_09', at(0)), clips[5]!);

    const scan = await supervisor.post('/api/evidence/segments/scan');
    expect(scan.statusCode).toBe(200);
    expect(scan.json().indexed).toBe(6);
    expect(scan.json().rejected).toEqual([
      { path: frigatePath('unknown_cam', at(0)), reason: 'caméra inconnue : unknown_cam' },
      { path: 'exports/readme.mp4', reason: expect.stringContaining('chemin hors des dispositions') },
    ]);
    const again = (await supervisor.post('/api/evidence/segments/scan')).json();
    expect(again).toMatchObject({ indexed: 0, alreadyIndexed: 6 });

    // The periodic scan reads only the recent day folders; the API's scan reads them all.
    const old = new Date(base.getTime() - 3 * DAY);
    placeRecording(recordings, frigatePath('demo_cam_10', old), clips[4]!);
    const recent = await t.platform.evidence.recordings.scan(10_000, Date.now(), new Date(base.getTime() - DAY).toISOString().slice(0, 10));
    expect(recent).toMatchObject({ indexed: 0, alreadyIndexed: 6 });
    expect((await supervisor.post('/api/evidence/segments/scan')).json()).toMatchObject({ indexed: 1, alreadyIndexed: 6 });

    const list = (await supervisor.get(`/api/evidence/segments?cameraId=${cameras.get('DEMO-CAM-06')}&sort=from`)).json();
    expect(list.total).toBe(3);
    const first = list.items[0];
    expect(first).toMatchObject({ cameraCode: 'DEMO-CAM-06', from: at(0).toISOString(), to: at(2).toISOString(), source: 'scan', location: frigatePath('demo_cam_06', at(0)) });
    expect(first.sha256).toBe(await sha256sumOf(clips[0]!));
    expect(first.sizeBytes).toBe(fs.statSync(clips[0]!).size);
  });

  it('lets the video system register a segment through the API, checking its path and hash', async () => {
    const relative = genericPath('DEMO-CAM-08', at(0));
    placeRecording(recordings, relative, clips[6]!);
    const escape = await supervisor.post('/api/evidence/segments', { camera: 'DEMO-CAM-08', from: at(0).toISOString(), location: '../../etc/passwd' });
    expect(escape.statusCode).toBe(422);
    expect(escape.json().error.details[0]).toEqual({ field: '/body/location', message: expect.stringContaining('hors du dossier') });
    const wrongHash = await supervisor.post('/api/evidence/segments', { camera: 'DEMO-CAM-08', from: at(0).toISOString(), location: relative, sha256: '0'.repeat(64) });
    expect(wrongHash.statusCode).toBe(422);
    expect(wrongHash.json().error.message).toContain(await sha256sumOf(clips[6]!));
    const unknown = await supervisor.post('/api/evidence/segments', { camera: 'NOPE', from: at(0).toISOString(), location: relative });
    expect(unknown.json().error.details).toContainEqual({ field: '/body/camera', message: 'caméra inconnue : NOPE' });
    const ok = await supervisor.post('/api/evidence/segments', { camera: 'demo_cam_08', from: at(0).toISOString(), location: relative, sha256: await sha256sumOf(clips[6]!) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ cameraCode: 'DEMO-CAM-08', source: 'api', to: at(2).toISOString() });
    expect((await vgp.post('/api/evidence/segments', { camera: 'DEMO-CAM-08', from: at(0).toISOString(), location: relative })).statusCode).toBe(403);
  });

  it('records a site’s prefectoral authorisation and refuses a retention above the law’s 30 days', async () => {
    const tooLong = await vgp.request('PUT', `/api/evidence/authorisations/${townHall}`, { reference: 'AP-78-2025-0412', issuedOn: '2025-03-01', expiresOn: '2030-03-01', retentionDays: 31 });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error.details).toEqual([{ field: '/body/retentionDays', message: expect.stringContaining('limite la conservation des images à 30 jours') }]);
    const ok = await vgp.request('PUT', `/api/evidence/authorisations/${townHall}`, { reference: 'AP-78-2025-0412', issuedOn: '2025-03-01', expiresOn: '2030-03-01', retentionDays: 15 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ siteName: 'Hôtel de ville de Versailles', retentionDays: 15, expired: false });
    expect((await clamart.request('PUT', `/api/evidence/authorisations/${townHall}`, { reference: 'x', issuedOn: '2025-03-01', expiresOn: '2030-03-01', retentionDays: 10 })).statusCode).toBe(403);
  });

  it('opens a clip only after a reason is given, and only for the site’s authorised users', async () => {
    const segment = (await supervisor.get(`/api/evidence/segments?cameraId=${cameras.get('DEMO-CAM-06')}&sort=from`)).json().items[0];
    expect((await supervisor.post(`/api/evidence/segments/${segment.id}/view`, {})).statusCode).toBe(422);
    expect((await clamart.post(`/api/evidence/segments/${segment.id}/view`, { reason: 'curiosité' })).statusCode).toBe(403);
    const view = await supervisor.post(`/api/evidence/segments/${segment.id}/view`, { reason: 'Levée de doute sur alarme intrusion' });
    expect(view.statusCode).toBe(200);
    const clip = await supervisor.get(view.json().url);
    expect(clip.statusCode).toBe(200);
    expect(clip.headers['content-type']).toBe('video/mp4');
    expect(clip.rawPayload.equals(fs.readFileSync(clips[0]!))).toBe(true);
    const ranged = await t.app.inject({ method: 'GET', url: view.json().url, headers: { cookie: (supervisor as unknown as { cookie: string }).cookie, range: 'bytes=0-99' } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.rawPayload.length).toBe(100);
    // The ticket is the viewer's own: another account, even one allowed to view, must give its own reason.
    expect((await vgp.get(view.json().url)).statusCode).toBe(403);
    expect((await supervisor.get(`/api/evidence/segments/${segment.id}/clip?ticket=123.abc`)).statusCode).toBe(403);
  });

  it('answers a requisition of purged images with what still exists', async () => {
    const purged = await vgp.post('/api/evidence/requisitions', {
      number: 'PV-2026-000001',
      siteId: townHall,
      authority: 'Parquet de Versailles',
      officerName: 'Capitaine Leroy',
      officerService: 'Commissariat de Versailles',
      legalBasis: 'art. 77-1-1 du code de procédure pénale',
      cameraIds: [cameras.get('DEMO-CAM-06')],
      from: new Date(base.getTime() - 3 * DAY).toISOString(),
      to: new Date(base.getTime() - 2 * DAY).toISOString(),
      deadline: '2026-12-31',
    });
    expect(purged.statusCode).toBe(422);
    expect(purged.json().error.code).toBe('recordings_purged');
    expect(purged.json().error.message).toContain(`DEMO-CAM-06 : du ${at(0).toISOString()} au ${at(22).toISOString()}`);
  });

  it('holds the requested segments at once, sharing them between overlapping requisitions', async () => {
    const common = {
      siteId: townHall,
      authority: 'Parquet de Versailles',
      officerService: 'Commissariat de Versailles',
      legalBasis: 'art. 60-1 du code de procédure pénale',
      cameraIds: [cameras.get('DEMO-CAM-06')],
      deadline: '2026-12-31',
    };
    const a = await vgp.post('/api/evidence/requisitions', { ...common, number: 'PV-2026-000101', officerName: 'Lieutenant Durand', from: at(0).toISOString(), to: at(15).toISOString() });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ status: 'open', heldSegments: 2, coverage: [{ cameraCode: 'DEMO-CAM-06', segments: 2, from: at(0).toISOString(), to: at(12).toISOString() }] });
    requisitionA = a.json();
    const b = await vgp.post('/api/evidence/requisitions', { ...common, number: 'PV-2026-000102', officerName: 'Capitaine Leroy', officerEmail: 'opj@mutualis.demo', from: at(5).toISOString(), to: at(25).toISOString() });
    expect(b.statusCode).toBe(201);
    expect(b.json()).toMatchObject({ heldSegments: 2, officerEmail: 'opj@mutualis.demo' });
    requisitionB = b.json();
    const duplicate = await vgp.post('/api/evidence/requisitions', { ...common, number: 'PV-2026-000102', officerName: 'x', from: at(5).toISOString(), to: at(25).toISOString() });
    expect(duplicate.statusCode).toBe(409);
    const held = (await supervisor.get(`/api/evidence/segments?held=true&sort=from&cameraId=${cameras.get('DEMO-CAM-06')}`)).json();
    expect(held.items.map((s: { from: string; heldBy: string[] }) => [s.from, s.heldBy])).toEqual([
      [at(0).toISOString(), ['PV-2026-000101']],
      [at(10).toISOString(), ['PV-2026-000101', 'PV-2026-000102']],
      [at(20).toISOString(), ['PV-2026-000102']],
    ]);
    // An incident report lists the requisitions whose images overlap the incident on its site.
    const linked = async (from: number, to: number) => (await supervisor.get(`/api/evidence/requisitions?siteId=${townHall}&from=${at(from).toISOString()}&to=${at(to).toISOString()}`)).json().map((r: { number: string }) => r.number).sort();
    expect(await linked(12, 13)).toEqual(['PV-2026-000101', 'PV-2026-000102']);
    expect(await linked(16, 30)).toEqual(['PV-2026-000102']);
    expect(await linked(30, 40)).toEqual([]);
    const ofB = (await supervisor.get(`/api/evidence/segments?requisitionId=${requisitionB.id}&sort=from`)).json();
    expect(ofB.items.map((s: { from: string }) => s.from)).toEqual([at(10).toISOString(), at(20).toISOString()]);
    const otherSite = await vgp.post('/api/evidence/requisitions', { ...common, number: 'PV-X', officerName: 'x', cameraIds: [cameras.get('DEMO-CAM-09')], from: at(0).toISOString(), to: at(5).toISOString() });
    expect(otherSite.statusCode).toBe(422);
    expect(otherSite.json().error.message).toContain('n’est pas sur ce site');
    expect((await clamart.post('/api/evidence/requisitions', { ...common, number: 'PV-Y', officerName: 'x', from: at(0).toISOString(), to: at(5).toISOString() })).statusCode).toBe(403);
  });

  it('deletes expired segments on a controlled clock, never a held one, and registers each deletion', async () => {
    const later = new Date(Date.now() + 16 * DAY);
    const before = await t.platform.evidence.retention.run(new Date(Date.now() + 14 * DAY));
    expect(before.deleted).toBe(0);
    const report = await t.platform.evidence.retention.run(later);
    // Town hall (15 days): DEMO-CAM-07's two and DEMO-CAM-08's one go; DEMO-CAM-06's three are held.
    // The gym has no authorisation: the law's 30 days apply and its segment stays.
    expect(report).toMatchObject({ deleted: 3, keptByHold: 3, cameras: 2, errors: [] });
    expect(fs.existsSync(path.join(recordings, genericPath('DEMO-CAM-07', at(0))))).toBe(false);
    expect(fs.existsSync(path.join(recordings, frigatePath('demo_cam_06', at(0))))).toBe(true);
    expect(fs.existsSync(path.join(recordings, frigatePath('demo_cam_09', at(0))))).toBe(true);
    const deleted = (await supervisor.get(`/api/evidence/segments?deleted=true&cameraId=${cameras.get('DEMO-CAM-07')}`)).json();
    expect(deleted.total).toBe(2);

    const released = await vgp.post(`/api/evidence/requisitions/${requisitionA.id}/release`, { reason: 'Classement sans suite notifié le 20/11' });
    expect(released.json()).toMatchObject({ status: 'closed', heldSegments: 0 });
    const after = await t.platform.evidence.retention.run(later);
    // The first segment is free now; the second is still held by the other requisition.
    expect(after).toMatchObject({ deleted: 1, keptByHold: 2 });
    expect(fs.existsSync(path.join(recordings, frigatePath('demo_cam_06', at(0))))).toBe(false);
    expect(fs.existsSync(path.join(recordings, frigatePath('demo_cam_06', at(10))))).toBe(true);
    await t.platform.evidence.retention.run(new Date(Date.now() + 31 * DAY));
    expect((await supervisor.get(`/api/evidence/segments?deleted=true&cameraId=${cameras.get('DEMO-CAM-09')}`)).json().total).toBe(1);

    const register = (await auditor.get('/api/evidence/register?action=evidence.recording.delete')).json();
    expect(register.items.map((e: { cameras: string[] }) => e.cameras.join())).toEqual(expect.arrayContaining(['DEMO-CAM-07', 'DEMO-CAM-08', 'DEMO-CAM-06', 'DEMO-CAM-09']));
    const cam07 = register.items.find((e: { cameras: string[] }) => e.cameras[0] === 'DEMO-CAM-07');
    expect(cam07).toMatchObject({ actor: 'system', reason: 'Durée de conservation expirée (15 jours, autorisation préfectorale AP-78-2025-0412)', from: at(0).toISOString(), to: at(12).toISOString() });
  });

  it('builds a signed package that sha256sum and openssl verify, and that detects one altered byte', async () => {
    expect((await vgp.post(`/api/evidence/requisitions/${requisitionB.id}/packages`, {})).statusCode).toBe(422);
    const started = await vgp.post(`/api/evidence/requisitions/${requisitionB.id}/packages`, { reason: 'Réponse à la réquisition PV-2026-000102' });
    expect(started.statusCode).toBe(202);
    const pkg = await t.platform.evidence.packages.settled(started.json().id);
    expect(pkg).toMatchObject({ status: 'ready', segmentCount: 2 });
    packageB = pkg;
    expect((await vgp.get(`/api/evidence/requisitions/${requisitionB.id}`)).json().status).toBe('extracted');

    const download = await opj.get(`/api/evidence/packages/${pkg.id}/download`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/x-tar');
    const out = tempDir('package');
    const tarFile = path.join(out, `${pkg.name}.tar`);
    fs.writeFileSync(tarFile, download.rawPayload);
    await extract({ file: tarFile, cwd: out });
    const dir = path.join(out, pkg.name);
    expect(fs.readdirSync(dir).sort()).toEqual(['LISEZMOI.txt', 'SHA256SUMS', 'manifest.html', 'manifest.json', 'manifest.json.sig', 'public-key.pem', 'segments']);

    const sums = await sh('sha256sum', ['-c', 'SHA256SUMS'], dir);
    expect(sums.code).toBe(0);
    expect(sums.stdout).toContain('segments/DEMO-CAM-06/');
    const published = await t.app.inject({ method: 'GET', url: '/api/evidence/public-key.pem' });
    expect(published.statusCode).toBe(200);
    fs.writeFileSync(path.join(out, 'platform.pem'), published.body);
    const openssl = await sh('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', path.join(out, 'platform.pem'), '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.json.sig'], dir);
    expect(openssl.stdout).toContain('Signature Verified Successfully');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ requisition: { number: 'PV-2026-000102', officerName: 'Capitaine Leroy' }, package: { extractedBy: 'admin.vgp@mutualis.demo', reason: 'Réponse à la réquisition PV-2026-000102' }, site: { authorisation: 'AP-78-2025-0412' } });
    expect(manifest.segments.map((s: { from: string; sha256: string }) => [s.from, s.sha256])).toEqual([
      [at(10).toISOString(), await sha256sumOf(clips[1]!)],
      [at(20).toISOString(), await sha256sumOf(clips[2]!)],
    ]);
    expect(fs.readFileSync(path.join(dir, 'manifest.html'), 'utf8')).toContain('Réquisition judiciaire n° PV-2026-000102');

    const cli = await mutualisCli(['evidence', 'verify', tarFile, '--public-key', path.join(out, 'platform.pem')], {});
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('scellé intègre : 2 enregistrements');

    const victim = manifest.segments[1].path as string;
    const bytes = fs.readFileSync(path.join(dir, victim));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    fs.writeFileSync(path.join(dir, victim), bytes);
    expect((await sh('sha256sum', ['-c', 'SHA256SUMS'], dir)).stdout).toContain(`${victim}: FAILED`);
    const broken = await mutualisCli(['evidence', 'verify', dir, '--public-key', path.join(out, 'platform.pem')], {});
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`ÉCHEC   ${victim} : contenu modifié`);
    expect(broken.stdout).toContain('scellé NON intègre');

    // A manifest edited by one byte fails its signature, even with SHA256SUMS rewritten to match.
    fs.writeFileSync(path.join(dir, victim), fs.readFileSync(path.join(recordings, frigatePath('demo_cam_06', at(20)))));
    const edited = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8').replace('Capitaine Leroy', 'Capitaine Leroz');
    fs.writeFileSync(path.join(dir, 'manifest.json'), edited);
    const result = await verifyPackage(dir, published.body);
    expect(result.ok).toBe(false);
    expect(result.problems).toContain('manifest.json.sig : la signature ne correspond pas à manifest.json (manifeste ou signature modifiés)');
    fs.rmSync(out, { recursive: true, force: true });

    const stored = await vgp.get(`/api/evidence/packages/${pkg.id}/verification`);
    expect(stored.json()).toMatchObject({ ok: true, problems: [] });
    // Two CLI processes: more than the default 30 s on a loaded machine.
  }, 120_000);

  it('gives a police officer their own requisitions and packages only', async () => {
    const mine = (await opj.get('/api/evidence/requisitions')).json();
    // The demo's requisition PV-2026-004217 names the OPJ account too.
    expect(mine.map((r: { number: string }) => r.number).sort()).toEqual(['PV-2026-000102', 'PV-2026-004217']);
    expect((await opj.get(`/api/evidence/requisitions/${requisitionA.id}`)).statusCode).toBe(403);
    const other = await vgp.post('/api/evidence/requisitions', requisitionBody('PV-2026-000103', 'DEMO-CAM-06', townHall, 18, 25));
    expect(other.json().heldSegments).toBe(1);
    const started = await vgp.post(`/api/evidence/requisitions/${other.json().id}/packages`, { reason: 'Réponse à la réquisition PV-2026-000103' });
    const otherPackage = await t.platform.evidence.packages.settled(started.json().id);
    const refused = await opj.get(`/api/evidence/packages/${otherPackage.id}/download`);
    expect(refused.statusCode).toBe(403);
    expect((await opj.get(`/api/evidence/packages/${otherPackage.id}`)).statusCode).toBe(403);
    // The auditor reads requisitions and the register, but takes no images away.
    expect((await auditor.get(`/api/evidence/packages/${otherPackage.id}/download`)).statusCode).toBe(403);
    expect((await opj.post(`/api/evidence/packages/${packageB.id}/handover`, { handedTo: 'moi', media: 'clé', reason: 'remise' })).statusCode).toBe(403);
  });

  it('records the handover once', async () => {
    const handover = { handedTo: 'Capitaine Leroy, commissariat de Versailles', media: 'Clé USB scellée n° 4521', reason: 'Remise en main propre contre récépissé' };
    const done = await vgp.post(`/api/evidence/packages/${packageB.id}/handover`, handover);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ handedTo: handover.handedTo, handoverMedia: handover.media, handedOverBy: 'admin.vgp@mutualis.demo' });
    expect((await vgp.get(`/api/evidence/requisitions/${requisitionB.id}`)).json().status).toBe('handed_over');
    expect((await vgp.post(`/api/evidence/packages/${packageB.id}/handover`, handover)).statusCode).toBe(409);
  });

  it('leaves no half package when a build fails, and cleans up after an interrupted one', async () => {
    const requisition = await supervisor.post('/api/evidence/requisitions', requisitionBody('PV-2026-000200', 'DEMO-CAM-09', gym, 0, 5));
    // The gym's segment was deleted by the 31-day run above: nothing exists to hold.
    expect(requisition.statusCode).toBe(422);
    placeRecording(recordings, frigatePath('demo_cam_09', at(40)), clips[3]!);
    await supervisor.post('/api/evidence/segments/scan');
    const created = await supervisor.post('/api/evidence/requisitions', requisitionBody('PV-2026-000200', 'DEMO-CAM-09', gym, 30, 50));
    expect(created.statusCode).toBe(201);
    // The recording changes on disk after indexing: the copy's hash differs, and the build must stop.
    fs.appendFileSync(path.join(recordings, frigatePath('demo_cam_09', at(40))), Buffer.from([0]));
    const started = await supervisor.post(`/api/evidence/requisitions/${created.json().id}/packages`, { reason: 'Réponse à la réquisition PV-2026-000200' });
    const failed = await t.platform.evidence.packages.settled(started.json().id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('a changé depuis son indexation');
    const root = path.join(evidenceDir, 'packages');
    expect(fs.readdirSync(root).filter((name) => name.includes('PV-2026-000200'))).toEqual([]);
    expect((await supervisor.get(`/api/evidence/packages/${failed.id}/download`)).statusCode).toBe(409);

    // The builder process killed mid-copy: its partial folder goes, nothing looks like a package.
    const big = genericPath('DEMO-CAM-10', at(60));
    fs.mkdirSync(path.dirname(path.join(recordings, big)), { recursive: true });
    fs.writeFileSync(path.join(recordings, big), Buffer.alloc(96 << 20, 7));
    expect((await supervisor.post('/api/evidence/segments', { camera: 'DEMO-CAM-10', from: at(60).toISOString(), to: at(70).toISOString(), location: big })).statusCode).toBe(201);
    const killedRequisition = await supervisor.post('/api/evidence/requisitions', requisitionBody('PV-2026-000201', 'DEMO-CAM-10', gym, 55, 75));
    const killed = await supervisor.post(`/api/evidence/requisitions/${killedRequisition.json().id}/packages`, { reason: 'Réponse à la réquisition PV-2026-000201' });
    const partialOf = () => fs.readdirSync(root).find((name) => name.startsWith(`.${killed.json().name}.partial-`));
    for (let i = 0; i < 2000 && !partialOf(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(partialOf()).toBeDefined();
    process.kill(t.platform.evidence.packages.builders.get(killed.json().id)!, 'SIGKILL');
    const interrupted = await t.platform.evidence.packages.settled(killed.json().id);
    expect(interrupted).toMatchObject({ status: 'failed', error: expect.stringContaining('SIGKILL') });
    expect(fs.readdirSync(root).filter((name) => name.includes('PV-2026-000201'))).toEqual([]);

    // A crash mid-build leaves a hidden partial folder and a "building" row: both are dealt with at start.
    fs.mkdirSync(path.join(root, '.REQ-crashed.partial-0000/segments'), { recursive: true });
    await t.platform.database.db
      .insertInto('evidence_packages')
      .values({ id: '00000000-0000-4000-8000-000000000001', requisition_id: created.json().id, status: 'building', name: 'REQ-crashed', segment_count: 1, created_by: 'x', size_bytes: null, manifest_sha256: null, error: null, ready_at: null, handed_to: null, handover_media: null, handed_over_at: null, handed_over_by: null })
      .execute();
    await t.platform.evidence.packages.recover();
    expect(fs.existsSync(path.join(root, '.REQ-crashed.partial-0000'))).toBe(false);
    expect((await t.platform.evidence.packages.get('00000000-0000-4000-8000-000000000001')).status).toBe('failed');
  });

  it('keeps every action in the register, exportable as CSV and printable HTML, within the audit chain', async () => {
    const entries = (await auditor.get('/api/evidence/register?pageSize=200')).json();
    const actions = new Set(entries.items.map((e: { action: string }) => e.action));
    for (const action of ['evidence.authorisation.save', 'evidence.recording.view', 'evidence.requisition.create', 'evidence.hold.place', 'evidence.hold.release', 'evidence.package.extract', 'evidence.package.fail', 'evidence.package.download', 'evidence.package.handover', 'evidence.recording.delete']) {
      expect(actions, action).toContain(action);
    }
    for (const e of entries.items) expect(e.reason, `${e.action} #${e.seq}`).not.toBe('');
    const view = entries.items.find((e: { action: string }) => e.action === 'evidence.recording.view');
    expect(view).toMatchObject({ actor: 'superviseur@mutualis.demo', reason: 'Levée de doute sur alarme intrusion', cameras: ['DEMO-CAM-06'], from: at(0).toISOString(), to: at(2).toISOString() });
    const handover = entries.items.find((e: { action: string }) => e.action === 'evidence.package.handover');
    expect(handover).toMatchObject({ media: 'Clé USB scellée n° 4521', service: 'Capitaine Leroy, commissariat de Versailles', requisition: 'PV-2026-000102' });

    const byRequisition = (await auditor.get('/api/evidence/register?requisition=PV-2026-000102&pageSize=200')).json();
    expect(byRequisition.items.map((e: { action: string }) => e.action).sort()).toEqual(['evidence.hold.place', 'evidence.package.download', 'evidence.package.extract', 'evidence.package.handover', 'evidence.requisition.create']);
    const csv = await auditor.get('/api/evidence/register.csv?requisition=PV-2026-000102');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('n°;date;auteur;action;motif;caméras;début des images;fin des images;site;réquisition;support;service destinataire;empreinte');
    expect(lines).toHaveLength(6);
    const html = await auditor.get('/api/evidence/register.html');
    expect(html.body).toContain('Registre des accès aux images de vidéoprotection');
    expect(html.body).toContain('Clé USB scellée n° 4521');
    // The Clamart administrator sees none of Versailles' register; a technician none at all.
    expect((await clamart.get('/api/evidence/register')).json().total).toBe(0);
    const technician = await ApiClient.signIn(t.app, 'technicien@mutualis.demo');
    expect((await technician.get('/api/evidence/register')).statusCode).toBe(403);
    const chain = (await auditor.get('/api/audit/verify')).json();
    expect(chain.ok).toBe(true);
  });
});
