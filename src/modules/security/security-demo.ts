import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.service.js';
import type { Actor } from '../../platform/auth/policy.js';
import type { Db } from '../../platform/db/database.js';
import type { TerritoryService } from '../territory/index.js';
import type { SecurityService } from './security.service.js';
import type { DeviceInput } from './devices.service.js';
import type { RuleInput } from './rules.service.js';
import type { GenericEvent } from './event-formats.js';

export const DEMO_COLLEGE = 'Collège Jean Racine';
export const DEMO_TOWN_HALL = 'Hôtel de ville de Versailles';
export const DEMO_GYM = 'Gymnase Montbauron';
export const DEMO_CENTRE = 'Centre de supervision du syndicat';

type DemoDevice = Omit<DeviceInput, 'siteId' | 'doorId'> & { site: string; door?: string };

/** Ten Frigate cameras, four doors with their badge readers, two motion detectors, over three sites. */
export const DEMO_DEVICES: DemoDevice[] = [
  { code: 'DEMO-CAM-01', name: 'Collège — parvis d’entrée', kind: 'camera', model: 'fixed', site: DEMO_COLLEGE, zone: 'entrance', frigateCamera: 'demo_cam_01', streamRef: 'rtsp://nvr-college/cam01' },
  { code: 'DEMO-CAM-02', name: 'Collège — clôture nord', kind: 'camera', model: 'ptz', site: DEMO_COLLEGE, zone: 'perimeter', frigateCamera: 'demo_cam_02', streamRef: 'rtsp://nvr-college/cam02' },
  { code: 'DEMO-CAM-03', name: 'Collège — cour de récréation', kind: 'camera', model: 'fixed', site: DEMO_COLLEGE, zone: 'playground', frigateCamera: 'demo_cam_03', streamRef: 'rtsp://nvr-college/cam03' },
  { code: 'DEMO-CAM-04', name: 'Collège — couloir administration', kind: 'camera', model: 'fixed', site: DEMO_COLLEGE, zone: 'corridor', frigateCamera: 'demo_cam_04', streamRef: 'rtsp://nvr-college/cam04' },
  { code: 'DEMO-CAM-05', name: 'Collège — thermique périmètre', kind: 'camera', model: 'thermal', site: DEMO_COLLEGE, zone: 'perimeter', frigateCamera: 'demo_cam_05', streamRef: 'rtsp://nvr-college/cam05' },
  { code: 'DEMO-CAM-06', name: 'Mairie — entrée principale', kind: 'camera', model: 'fixed', site: DEMO_TOWN_HALL, zone: 'entrance', frigateCamera: 'demo_cam_06', streamRef: 'rtsp://nvr-mairie/cam06' },
  { code: 'DEMO-CAM-07', name: 'Mairie — hall d’accueil', kind: 'camera', model: 'ptz', site: DEMO_TOWN_HALL, zone: 'hall', frigateCamera: 'demo_cam_07', streamRef: 'rtsp://nvr-mairie/cam07' },
  { code: 'DEMO-CAM-08', name: 'Mairie — parking des élus', kind: 'camera', model: 'fixed', site: DEMO_TOWN_HALL, zone: 'car_park', frigateCamera: 'demo_cam_08', streamRef: 'rtsp://nvr-mairie/cam08' },
  { code: 'DEMO-CAM-09', name: 'Gymnase — entrée', kind: 'camera', model: 'fixed', site: DEMO_GYM, zone: 'entrance', frigateCamera: 'demo_cam_09', streamRef: 'rtsp://nvr-gymnase/cam09' },
  { code: 'DEMO-CAM-10', name: 'Gymnase — thermique arrière', kind: 'camera', model: 'thermal', site: DEMO_GYM, zone: 'perimeter', frigateCamera: 'demo_cam_10', streamRef: 'rtsp://nvr-gymnase/cam10' },
  { code: 'DEMO-DOOR-01', name: 'Collège — portail élèves', kind: 'door', site: DEMO_COLLEGE, zone: 'entrance' },
  { code: 'DEMO-DOOR-02', name: 'Collège — porte du local technique', kind: 'door', site: DEMO_COLLEGE, zone: 'technical_room' },
  { code: 'DEMO-DOOR-03', name: 'Mairie — porte du personnel', kind: 'door', site: DEMO_TOWN_HALL, zone: 'hall' },
  { code: 'DEMO-DOOR-04', name: 'Gymnase — porte principale', kind: 'door', site: DEMO_GYM, zone: 'entrance' },
  { code: 'DEMO-READER-01', name: 'Collège — lecteur portail élèves', kind: 'reader', model: 'badge', site: DEMO_COLLEGE, door: 'DEMO-DOOR-01' },
  { code: 'DEMO-READER-02', name: 'Collège — lecteur local technique', kind: 'reader', model: 'badge', site: DEMO_COLLEGE, door: 'DEMO-DOOR-02' },
  { code: 'DEMO-READER-03', name: 'Mairie — lecteur porte du personnel', kind: 'reader', model: 'badge', site: DEMO_TOWN_HALL, door: 'DEMO-DOOR-03' },
  { code: 'DEMO-READER-04', name: 'Gymnase — lecteur porte principale', kind: 'reader', model: 'badge', site: DEMO_GYM, door: 'DEMO-DOOR-04' },
  { code: 'DEMO-PIR-01', name: 'Collège — détecteur local technique', kind: 'intrusion_sensor', site: DEMO_COLLEGE, zone: 'technical_room' },
  { code: 'DEMO-PIR-02', name: 'Gymnase — détecteur salle', kind: 'intrusion_sensor', site: DEMO_GYM, zone: 'entrance' },
];

const rule = (r: Partial<RuleInput> & Pick<RuleInput, 'name' | 'eventType' | 'priority'>): RuleInput => ({
  kind: 'event',
  otherEventType: null,
  alarmType: r.eventType,
  threshold: null,
  correlationWindowSec: null,
  siteId: null,
  deviceId: null,
  windows: [],
  groupWindowSec: 300,
  deadlineSec: 180,
  enabled: true,
  ...r,
});

/** A rule for each event type, the night and weekend variants that matter, and the two correlations. */
export const DEMO_RULES: RuleInput[] = [
  rule({ name: 'Porte forcée', eventType: 'door_forced_open', priority: 2, deadlineSec: 120 }),
  rule({ name: 'Porte maintenue ouverte', eventType: 'door_held_open', priority: 4, groupWindowSec: 600, deadlineSec: 600 }),
  rule({ name: 'Badge inconnu', eventType: 'unknown_credential', priority: 4, groupWindowSec: 600, deadlineSec: 600 }),
  rule({ name: 'Anti-retour', eventType: 'anti_passback_violation', priority: 5, groupWindowSec: 900, deadlineSec: 900 }),
  rule({ name: 'Code sous contrainte', eventType: 'duress', priority: 1, groupWindowSec: 60, deadlineSec: 60 }),
  rule({ name: 'Sabotage de lecteur', eventType: 'reader_tamper', priority: 2, deadlineSec: 180 }),
  rule({ name: 'Sabotage de caméra', eventType: 'tamper', priority: 2, deadlineSec: 180 }),
  rule({ name: 'Mouvement hors ouverture', eventType: 'motion', priority: 3, windows: ['night', 'weekend', 'holiday'] }),
  rule({ name: 'Intrusion dans une zone', eventType: 'field_intrusion', priority: 2, windows: ['night', 'weekend', 'holiday'] }),
  rule({ name: 'Franchissement de ligne', eventType: 'line_crossing', priority: 3, windows: ['night', 'weekend', 'holiday'] }),
  rule({ name: 'Détection vidéo de nuit', eventType: 'object_detected', priority: 3, windows: ['night', 'weekend', 'holiday'] }),
  rule({ name: 'Alerte vidéo Frigate', eventType: 'review_alert', priority: 3, deadlineSec: 300 }),
  rule({ name: 'Refus d’accès répétés', kind: 'burst', eventType: 'access_denied', alarmType: 'access_denied_burst', threshold: 3, correlationWindowSec: 120, priority: 2, deadlineSec: 180 }),
  rule({ name: 'Porte forcée et mouvement', kind: 'combination', eventType: 'door_forced_open', otherEventType: 'motion', alarmType: 'intrusion', correlationWindowSec: 120, priority: 1, deadlineSec: 60 }),
  rule({ name: 'Porte forcée et détection vidéo', kind: 'combination', eventType: 'door_forced_open', otherEventType: 'object_detected', alarmType: 'intrusion', correlationWindowSec: 120, priority: 1, deadlineSec: 60 }),
];

const CHECK_CAMERAS = 'Ouvrir les caméras du site et revoir les 2 minutes précédant l’alarme';
const CALL_KEYHOLDER = 'Appeler le gardien ou l’astreinte du site (fiche réflexe)';
export const DEMO_PROCEDURES: { alarmType: string; title: string; steps: string[] }[] = [
  { alarmType: 'intrusion', title: 'Intrusion confirmée ou probable', steps: [CHECK_CAMERAS, 'Confirmer la présence humaine sur au moins une image', 'Appeler le 17 en donnant l’adresse, l’accès et le nombre d’individus', CALL_KEYHOLDER, 'Noter l’heure d’appel, la référence et la suite donnée'] },
  { alarmType: 'door_forced_open', title: 'Porte forcée', steps: [CHECK_CAMERAS, 'Vérifier si un événement d’accès valide précède l’ouverture', CALL_KEYHOLDER, 'Si présence confirmée : appeler le 17'] },
  { alarmType: 'door_held_open', title: 'Porte maintenue ouverte', steps: [CHECK_CAMERAS, 'Contacter l’accueil du site pour faire refermer la porte', 'Si la porte ne se referme pas : ouvrir un ticket de maintenance'] },
  { alarmType: 'access_denied_burst', title: 'Refus d’accès répétés', steps: [CHECK_CAMERAS, 'Identifier le badge dans le détail des événements', 'Joindre le référent du site pour vérifier les droits du porteur', 'Si tentative d’intrusion : appeler le 17'] },
  { alarmType: 'unknown_credential', title: 'Badge inconnu', steps: ['Identifier le lecteur et l’heure', CHECK_CAMERAS, 'Signaler le badge au référent du site'] },
  { alarmType: 'anti_passback_violation', title: 'Violation d’anti-retour', steps: ['Vérifier le porteur du badge', 'Rappeler la règle au porteur par le référent du site'] },
  { alarmType: 'duress', title: 'Code sous contrainte', steps: ['Ne pas rappeler le site', 'Appeler immédiatement le 17 en signalant un code de contrainte', CHECK_CAMERAS, 'Noter l’heure d’appel et la référence'] },
  { alarmType: 'reader_tamper', title: 'Sabotage de lecteur', steps: [CHECK_CAMERAS, CALL_KEYHOLDER, 'Ouvrir un ticket de maintenance si le lecteur ne répond plus'] },
  { alarmType: 'tamper', title: 'Sabotage de caméra', steps: ['Vérifier l’image (masquée, déplacée, floue)', CALL_KEYHOLDER, 'Ouvrir un ticket de maintenance'] },
  { alarmType: 'motion', title: 'Mouvement hors heures d’ouverture', steps: [CHECK_CAMERAS, 'Écarter les causes connues (animal, ménage, végétation)', 'Si présence humaine : appeler le 17'] },
  { alarmType: 'field_intrusion', title: 'Intrusion dans une zone surveillée', steps: [CHECK_CAMERAS, 'Suivre l’individu avec la caméra PTZ', 'Si présence confirmée : appeler le 17'] },
  { alarmType: 'line_crossing', title: 'Franchissement de ligne', steps: [CHECK_CAMERAS, 'Vérifier le sens de franchissement', 'Si présence confirmée : appeler le 17'] },
  { alarmType: 'object_detected', title: 'Détection vidéo (Frigate)', steps: ['Ouvrir le clip Frigate de l’objet', 'Écarter les fausses détections (ombre, animal, phare)', 'Si présence humaine hors ouverture : appeler le 17'] },
  { alarmType: 'review_alert', title: 'Alerte vidéo Frigate', steps: ['Ouvrir l’élément de revue dans Frigate', CHECK_CAMERAS, 'Qualifier selon ce que montrent les images'] },
];

export const DEMO_STUDY = {
  summary: 'Collège de 650 élèves en centre-ville, clôture basse côté nord, local technique donnant sur la rue. Étude préalable à l’extension de la vidéoprotection (périmètre et entrée uniquement, hors cour et salles pendant les heures d’ouverture).',
  threats: [
    { id: 'T1', label: 'Intrusion nocturne', description: 'Pénétration dans l’établissement hors ouverture, vol de matériel informatique.' },
    { id: 'T2', label: 'Dégradations', description: 'Tags, bris de vitres, incendie de poubelles contre la façade.' },
    { id: 'T3', label: 'Intrusion pendant les cours', description: 'Personne étrangère entrant par le portail élèves aux heures de passage.' },
  ],
  risks: [
    { id: 'R1', threatId: 'T1', vulnerability: 'Clôture nord basse et non détectée', likelihood: 3, impact: 3 },
    { id: 'R2', threatId: 'T1', vulnerability: 'Porte du local technique sans contrôle d’accès', likelihood: 2, impact: 4 },
    { id: 'R3', threatId: 'T2', vulnerability: 'Façade rue non éclairée', likelihood: 3, impact: 2 },
    { id: 'R4', threatId: 'T3', vulnerability: 'Portail élèves ouvert 10 minutes à chaque interclasse', likelihood: 2, impact: 3 },
  ],
  measures: [
    { id: 'M1', label: 'Caméra thermique de périmètre avec détection d’intrusion (côté nord)', riskIds: ['R1'], costEuros: 8400, status: 'done' as const },
    { id: 'M2', label: 'Lecteur de badge et contact d’ouverture sur la porte du local technique', riskIds: ['R2'], costEuros: 3200, status: 'done' as const },
    { id: 'M3', label: 'Éclairage à détection sur la façade rue', riskIds: ['R3'], costEuros: 2600, status: 'approved' as const },
    { id: 'M4', label: 'Portail élèves à badge avec interphone vers la vie scolaire', riskIds: ['R4'], costEuros: 6900, status: 'proposed' as const },
  ],
};

/** Past alarms: an event, then how far the operator took it, with the minutes it took to take and to qualify. */
const PAST: { device: string; type: GenericEvent['type'] | 'object_detected'; daysAgo: number; until: 'new' | 'taken' | 'qualified' | 'closed'; qualification?: object; take: number; qualify: number }[] = [
  { device: 'DEMO-DOOR-01', type: 'door_forced_open', daysAgo: 40, until: 'closed', qualification: { qualification: 'false_alarm', cause: 'Agent d’entretien sans badge' }, take: 1, qualify: 4 },
  { device: 'DEMO-DOOR-03', type: 'door_held_open', daysAgo: 35, until: 'closed', qualification: { qualification: 'handled_on_site', notes: 'Accueil prévenu, porte refermée' }, take: 2, qualify: 6 },
  { device: 'DEMO-DOOR-04', type: 'door_forced_open', daysAgo: 28, until: 'closed', qualification: { qualification: 'police_called', police: { calledAt: '', reference: 'PV 2026/0412', outcome: 'Patrouille sur place, individus partis, plainte déposée' } }, take: 1, qualify: 9 },
  { device: 'DEMO-READER-02', type: 'reader_tamper', daysAgo: 21, until: 'closed', qualification: { qualification: 'technical_fault', fault: 'Lecteur hors service après un orage' }, take: 3, qualify: 12 },
  { device: 'DEMO-PIR-02', type: 'motion', daysAgo: 14, until: 'closed', qualification: { qualification: 'false_alarm', cause: 'Pigeon dans la salle' }, take: 2, qualify: 5 },
  { device: 'DEMO-DOOR-02', type: 'door_forced_open', daysAgo: 9, until: 'qualified', qualification: { qualification: 'false_alarm', cause: 'Technicien de maintenance sans badge' }, take: 1, qualify: 3 },
  { device: 'DEMO-DOOR-03', type: 'door_held_open', daysAgo: 2, until: 'taken', take: 4, qualify: 0 },
  { device: 'DEMO-READER-04', type: 'reader_tamper', daysAgo: 1, until: 'new', take: 0, qualify: 0 },
];

export interface SecurityDemoDeps {
  db: Db;
  security: SecurityService;
  territory: TerritoryService;
  /** The demo operator as a signed-in actor, for the past alarms' transitions. */
  operator: () => Promise<Actor>;
  operatorUserId: string;
}

/** Loads the security demo: a gymnasium site, devices, a supervision centre, rules, procedures and past alarms. Idempotent. */
export async function loadSecurityDemo(deps: SecurityDemoDeps): Promise<number> {
  const { db, security, territory } = deps;
  if (await db.selectFrom('security_devices').select('id').where('code', '=', 'DEMO-DOOR-01').executeTakeFirst()) return 0;

  let gym = await db.selectFrom('sites').select('id').where('name', '=', DEMO_GYM).executeTakeFirst();
  if (!gym) {
    gym = await territory.createSite(SYSTEM_ACTOR, { kind: 'public_building', name: DEMO_GYM, address: '6 rue Montbauron, 78000 Versailles', longitude: 2.1352, latitude: 48.8072, memberId: 'com-78646' });
  }
  const sites = new Map((await db.selectFrom('sites').select(['id', 'name']).where('name', 'in', [DEMO_COLLEGE, DEMO_TOWN_HALL, DEMO_GYM]).execute()).map((s) => [s.name, s.id]));

  const ids = new Map<string, string>();
  for (const { site, door, ...d } of DEMO_DEVICES) {
    const created = await security.devices.create(SYSTEM_ACTOR, { ...d, siteId: sites.get(site)!, doorId: door ? ids.get(door) : null, installDate: '2025-08-25', maintainer: 'Sûreté Île-de-France Maintenance' });
    ids.set(d.code, created.id);
  }
  await db
    .updateTable('security_devices')
    .set({ status: 'online', status_at: new Date() })
    .where('code', 'like', 'DEMO-%')
    .execute();

  const centre = await security.devices.saveCentre(SYSTEM_ACTOR, null, { name: DEMO_CENTRE, siteIds: [...sites.values()], memberIds: [] });
  await security.devices.assignOperator(SYSTEM_ACTOR, deps.operatorUserId, centre.id);

  for (const r of DEMO_RULES) await security.rules.create(SYSTEM_ACTOR, r);
  await db.insertInto('security_procedures').values(DEMO_PROCEDURES.map((p) => ({ alarm_type: p.alarmType, title: p.title, steps: p.steps }))).onConflict((oc) => oc.column('alarm_type').doNothing()).execute();

  await security.studies.save(SYSTEM_ACTOR, sites.get(DEMO_COLLEGE)!, DEMO_STUDY);

  // Past alarms go through the real ingestion and state machine, then are moved back to when they happened.
  const actor = await deps.operator();
  for (const [i, past] of PAST.entries()) {
    // 22:30 Paris time on that day, so that the night rules apply.
    const day = new Date(Date.now() - past.daysAgo * 86_400_000);
    const occurredAt = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 21, 30));
    const outcome = await security.ingest.submitHttp(ids.get(past.device)!, { id: `demo-past-${i}`, type: past.type, occurredAt: occurredAt.toISOString(), details: { demo: true } });
    const alarmId = outcome.alarmId;
    if (!alarmId) continue;
    if (past.until !== 'new') await security.alarms.transition(actor, 'take', alarmId);
    if (past.until === 'qualified' || past.until === 'closed') {
      await security.alarms.transition(actor, 'verify', alarmId);
      const q = JSON.parse(JSON.stringify(past.qualification)) as { police?: { calledAt: string } };
      if (q.police) q.police.calledAt = new Date(occurredAt.getTime() + (past.take + 3) * 60_000).toISOString();
      await security.alarms.transition(actor, 'qualify', alarmId, { qualification: q as never });
    }
    if (past.until === 'closed') await security.alarms.transition(actor, 'close', alarmId, { report: 'Levée de doute effectuée selon la procédure ; voir la qualification.' });
    await db
      .updateTable('security_alarms')
      .set({
        created_at: sql`${occurredAt}::timestamptz + interval '20 seconds'`,
        deadline_at: sql`${occurredAt}::timestamptz + interval '200 seconds'`,
        taken_at: sql`case when taken_at is null then null else ${occurredAt}::timestamptz + make_interval(mins => ${past.take}) end`,
        verification_at: sql`case when verification_at is null then null else ${occurredAt}::timestamptz + make_interval(mins => ${past.take}, secs => 30) end`,
        qualified_at: sql`case when qualified_at is null then null else ${occurredAt}::timestamptz + make_interval(mins => ${past.take + past.qualify}) end`,
        closed_at: sql`case when closed_at is null then null else ${occurredAt}::timestamptz + make_interval(mins => ${past.take + past.qualify + 5}) end`,
      })
      .where('id', '=', alarmId)
      .execute();
    await sql`update security_alarm_history h
              set at = coalesce(case h.action when 'created' then a.created_at when 'take' then a.taken_at when 'verify' then a.verification_at
                                              when 'qualify' then a.qualified_at when 'close' then a.closed_at end, h.at)
              from security_alarms a where a.id = h.alarm_id and h.alarm_id = ${alarmId}`.execute(db);
  }
  return DEMO_DEVICES.length;
}
