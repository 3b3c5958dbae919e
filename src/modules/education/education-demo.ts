import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, SYSTEM_ACTOR } from '../../platform/audit/audit.service.js';
import type { TerritoryService } from '../territory/index.js';
import type { EducationService } from './education.service.js';
import type { AssetType, EduAssetsTable, EduAssignmentsTable, EduClassesTable, EduLicencePoolsTable, EduPupilsTable, EduStaffTable, Level } from './education.tables.js';

export const DEMO_MEMBER = 'com-92023';
export const DEMO_STAFF_EMAIL = 'ecole.clamart@mutualis.demo';
export const DEMO_STAFF_SCHOOL_UAI = '0921234S';
export const DEMO_YEARS = [
  { id: '2025-2026', startDate: '2025-09-01', endDate: '2026-07-04' },
  { id: '2026-2027', startDate: '2026-09-01', endDate: '2027-07-03' },
  { id: '2027-2028', startDate: '2027-09-01', endDate: '2028-07-08' },
];
const CURRENT_YEAR = '2026-2027';

/** The twelve elementary schools of Clamart: the first two are sites of the platform's demo already. */
const SCHOOLS = [
  { name: 'École élémentaire Jules Ferry', uai: '0921234S' },
  { name: 'École élémentaire du Petit Clamart', uai: '0921235T' },
  { name: 'École élémentaire Paul Bert', uai: '0921240Y', address: '8 rue Paul Bert, 92140 Clamart', longitude: 2.262, latitude: 48.797 },
  { name: 'École élémentaire Jean Jaurès', uai: '0921241Z', address: '25 rue Jean Jaurès, 92140 Clamart', longitude: 2.258, latitude: 48.801 },
  { name: 'École élémentaire Condorcet', uai: '0921242A', address: '3 rue Condorcet, 92140 Clamart', longitude: 2.269, latitude: 48.804 },
  { name: 'École élémentaire Les Rochers', uai: '0921243B', address: '14 rue des Rochers, 92140 Clamart', longitude: 2.254, latitude: 48.794 },
  { name: 'École élémentaire du Parc', uai: '0921244C', address: '2 allée du Parc, 92140 Clamart', longitude: 2.266, latitude: 48.792 },
  { name: 'École élémentaire Gabriel Péri', uai: '0921245D', address: '40 rue Gabriel Péri, 92140 Clamart', longitude: 2.272, latitude: 48.799 },
  { name: 'École élémentaire de la Fourche', uai: '0921246E', address: '1 place de la Fourche, 92140 Clamart', longitude: 2.26, latitude: 48.806 },
  { name: 'École élémentaire Plaine', uai: '0921247F', address: '18 avenue de la Plaine, 92140 Clamart', longitude: 2.251, latitude: 48.799 },
  { name: 'École élémentaire Pierre Brossolette', uai: '0921248G', address: '9 rue Pierre Brossolette, 92140 Clamart', longitude: 2.245, latitude: 48.791 },
  { name: 'École élémentaire du Trosy', uai: '0921249H', address: '6 rue du Trosy, 92140 Clamart', longitude: 2.255, latitude: 48.788 },
];

const FIRST_NAMES = ['Léa', 'Hugo', 'Emma', 'Lucas', 'Jade', 'Louis', 'Chloé', 'Gabriel', 'Inès', 'Adam', 'Alice', 'Raphaël', 'Lina', 'Arthur', 'Mia', 'Jules', 'Zoé', 'Nathan', 'Sarah', 'Ethan', 'Rose', 'Noah', 'Anna', 'Sacha', 'Yasmine', 'Malo', 'Nour', 'Tom', 'Ambre', 'Mohamed'];
const TEACHER_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia'];
const PRICE: Partial<Record<AssetType, number>> = { tablet: 329, pc: 749, interactive_projector: 2390, wifi_access_point: 420, mobile_class_trolley: 1590 };
const LABEL: Partial<Record<AssetType, string>> = {
  tablet: 'Tablette 10 pouces 64 Go et coque',
  pc: 'Ordinateur portable 14 pouces',
  interactive_projector: 'Vidéoprojecteur interactif ultra-courte focale',
  wifi_access_point: 'Borne wifi intérieure',
  mobile_class_trolley: 'Chariot de classe mobile 16 tablettes',
};

/** A small deterministic generator: the demo is the same at every seed. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * Clamart's e-education programme as demo data: twelve schools, their classes and about 850 fictitious
 * pupils, tablets assigned, teachers equipped, projectors in classrooms, ENT licence pools and the 4.5 M€
 * five-year plan with two years of purchases. Runs once: nothing is added when the programme exists.
 */
export async function loadEducationDemo(db: Db, education: EducationService, territory: TerritoryService): Promise<number> {
  if (await db.selectFrom('edu_programmes').select('id').where('member_id', '=', DEMO_MEMBER).executeTakeFirst()) return 0;
  const known = new Set((await db.selectFrom('edu_school_years').select('id').execute()).map((y) => y.id));
  for (const year of DEMO_YEARS) if (!known.has(year.id)) await education.createSchoolYear(SYSTEM_ACTOR, year);

  const schoolIds: string[] = [];
  for (const s of SCHOOLS) {
    let site = await db.selectFrom('sites').select('id').where('uai', '=', s.uai).executeTakeFirst();
    if (!site && s.address) {
      site = await territory.createSite(SYSTEM_ACTOR, { kind: 'school', name: s.name, uai: s.uai, address: s.address, longitude: s.longitude, latitude: s.latitude, memberId: DEMO_MEMBER });
    }
    if (!site) throw new Error(`demo site ${s.uai} is missing: seed the platform's demo sites first`);
    schoolIds.push((await education.registerSchool(null, site.id)).id);
  }
  const director = await db.selectFrom('users').select('id').where('email', '=', DEMO_STAFF_EMAIL).executeTakeFirst();
  if (director) await db.insertInto('edu_staff_access').values({ user_id: director.id, school_id: schoolIds[0]! }).onConflict((oc) => oc.doNothing()).execute();

  const random = generator(92023);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const classes: Insertable<EduClassesTable>[] = [];
  const pupils: Insertable<EduPupilsTable>[] = [];
  const staff: Insertable<EduStaffTable>[] = [];
  const assets: Insertable<EduAssetsTable>[] = [];
  const assignments: Insertable<EduAssignmentsTable>[] = [];
  const pools: Insertable<EduLicencePoolsTable>[] = [];
  let serial = 0;
  const asset = (schoolId: string, type: AssetType, year: number, room: string | null = null) => {
    serial += 1;
    const row = {
      id: randomUUID(),
      member_id: DEMO_MEMBER,
      school_id: schoolId,
      type,
      serial: `CLA-${type === 'tablet' ? 'TAB' : type === 'pc' ? 'PC' : type === 'interactive_projector' ? 'VPI' : type === 'wifi_access_point' ? 'WIFI' : 'CHR'}-${String(serial).padStart(5, '0')}`,
      label: LABEL[type]!,
      supplier: type === 'interactive_projector' ? 'Projecteurs Éducation SAS' : 'Numérique Scolaire SA',
      order_ref: `BC-${year}-${type === 'tablet' ? '0012' : '0031'}`,
      purchase_date: `${year}-0${year === 2025 ? 8 : 6}-2${Math.floor(random() * 9)}`,
      warranty_end: `${year + 3}-08-31`,
      unit_price: PRICE[type]!.toFixed(2),
      state: 'in_stock' as const,
      room,
      delivery_key: null,
    };
    assets.push(row);
    return row;
  };
  const assign = (a: { id: string; school_id: string | null; state: string }, holder: Partial<Insertable<EduAssignmentsTable>> & { holder_kind: EduAssignmentsTable['holder_kind'] }) => {
    a.state = 'assigned';
    assignments.push({ id: randomUUID(), asset_id: a.id, school_id: a.school_id!, pupil_id: null, staff_id: null, class_id: null, room: null, loan: false, returned_at: null, end_reason: null, ...holder });
  };

  for (const [i, schoolId] of schoolIds.entries()) {
    // Wave 1 schools (the first four) got their tablets in 2025, the others in 2026.
    const year = i < 4 ? 2025 : 2026;
    const layout: Level[][] = i % 3 === 2 ? [['CP'], ['CE1', 'CE2'], ['CE2'], ['CM1'], ['CM2']] : [['CP'], ['CE1'], ['CE2'], ['CM1'], ['CM2']];
    let pupilCount = 0;
    let guardians = 0;
    for (const [c, levels] of layout.entries()) {
      const classId = randomUUID();
      const name = `${levels.join('-')} ${String.fromCharCode(65 + (c === 2 && layout[1]!.length > 1 ? 1 : 0))}`;
      classes.push({ id: classId, school_id: schoolId, school_year: CURRENT_YEAR, name, levels, previous_class_id: null });
      const teacherId = randomUUID();
      staff.push({ id: teacherId, school_id: schoolId, school_ref: `P${i + 1}-${c + 1}`, first_name: pick(FIRST_NAMES), last_name: pick(TEACHER_NAMES), role: 'teacher' as const, email: null });
      assign(asset(schoolId, c % 2 ? 'pc' : 'tablet', year), { holder_kind: 'teacher', staff_id: teacherId });
      assign(asset(schoolId, 'interactive_projector', year, `Salle ${c + 1}`), { holder_kind: 'class', class_id: classId });
      const size = 13 + Math.floor(random() * 4);
      for (let p = 0; p < size; p += 1) {
        const pupilId = randomUUID();
        const g = random() < 0.85 ? 2 : 1;
        guardians += g;
        pupilCount += 1;
        pupils.push({ id: pupilId, school_id: schoolId, school_ref: `E${String(i + 1).padStart(2, '0')}${String(pupilCount).padStart(3, '0')}`, first_name: pick(FIRST_NAMES), last_initial: pick('ABCDEFGHJLMNPRSTV'.split('')), level: levels[p % levels.length]!, class_id: classId, guardians: g, left_at: null });
        assign(asset(schoolId, 'tablet', year), { holder_kind: 'pupil', pupil_id: pupilId });
      }
    }
    staff.push({ id: randomUUID(), school_id: schoolId, school_ref: `P${i + 1}-DIR`, first_name: pick(FIRST_NAMES), last_name: pick(TEACHER_NAMES), role: 'teacher' as const, email: null });
    staff.push({ id: randomUUID(), school_id: schoolId, school_ref: `P${i + 1}-AESH`, first_name: pick(FIRST_NAMES), last_name: pick(TEACHER_NAMES), role: 'staff' as const, email: null });
    for (let s = 0; s < 6; s += 1) asset(schoolId, 'tablet', year);
    for (let w = 0; w < 3; w += 1) asset(schoolId, 'wifi_access_point', year, `Couloir ${w + 1}`);
    asset(schoolId, 'mobile_class_trolley', year, 'Salle 1');
    pools.push(
      { school_id: schoolId, profile: 'pupil' as const, purchased: pupilCount + 5, allocated: 0 },
      { school_id: schoolId, profile: 'parent' as const, purchased: guardians, allocated: 0 },
      { school_id: schoolId, profile: 'teacher' as const, purchased: layout.length + 1, allocated: 0 },
      { school_id: schoolId, profile: 'staff' as const, purchased: 1, allocated: 0 },
    );
  }

  await db.transaction().execute(async (trx) => {
    await trx.insertInto('edu_classes').values(classes).execute();
    for (let i = 0; i < pupils.length; i += 500) await trx.insertInto('edu_pupils').values(pupils.slice(i, i + 500)).execute();
    await trx.insertInto('edu_staff').values(staff).execute();
    for (let i = 0; i < assets.length; i += 500) {
      const batch = assets.slice(i, i + 500);
      await trx.insertInto('edu_assets').values(batch).execute();
      await trx.insertInto('edu_asset_history').values(batch.map((a) => ({ asset_id: a.id!, actor: 'demo', event: 'import', from_state: null, to_state: 'in_stock', detail: '' }))).execute();
    }
    for (let i = 0; i < assignments.length; i += 500) {
      const batch = assignments.slice(i, i + 500);
      await trx.insertInto('edu_assignments').values(batch).execute();
      await trx.insertInto('edu_asset_history').values(batch.map((a) => ({ asset_id: a.asset_id, actor: 'demo', event: 'assign', from_state: 'in_stock', to_state: 'assigned', detail: a.holder_kind }))).execute();
    }
    await trx.insertInto('edu_licence_pools').values(pools).execute();
    await appendAudit(trx, { actor: SYSTEM_ACTOR, action: 'education.demo.load', entityType: 'education_programme', memberId: DEMO_MEMBER, summary: { schools: schoolIds.length, pupils: pupils.length, assets: assets.length } });
  });

  await education.programme.store(SYSTEM_ACTOR, DEMO_MEMBER, {
    name: 'Cartable numérique de Clamart 2025-2029',
    startYear: 2025,
    leaverRule: 'return',
    targets: { devices: 4000, teachersEquipped: 180, projectors: 160, licences: 5500 },
    budgets: [2025, 2026, 2027, 2028, 2029].map((year) => ({ year, budget: 900_000 })),
    waves: schoolIds.map((schoolId, i) => ({ schoolId, wave: i < 4 ? 1 : 2, plannedDate: i < 4 ? '2025-09-01' : '2026-09-01' })),
  });
  return pupils.length;
}

