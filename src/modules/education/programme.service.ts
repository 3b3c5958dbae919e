import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../../platform/db/database.js';
import { can, type Actor } from '../../platform/auth/policy.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { forbidden, notFound, validationFailed } from '../../platform/http/errors.js';
import { LICENCE_PROFILES, type AssetType, type LeaverRule, type LicenceProfile } from './education.tables.js';
import { auditActor, type SchoolAccess } from './school-access.js';

export interface LicencePool {
  profile: LicenceProfile;
  purchased: number;
  needed: number;
  allocated: number;
}

export interface ProgrammeInput {
  name: string;
  startYear: number;
  leaverRule: LeaverRule;
  targets: { devices: number; teachersEquipped: number; projectors: number; licences: number };
  budgets: { year: number; budget: number }[];
  waves: { schoolId: string; wave: number; plannedDate: string }[];
}

/** Columns of the ENT account provisioning export (documented in docs/education.md). */
export const PROVISIONING_COLUMNS = ['uai', 'profil', 'identifiant', 'prenom', 'nom', 'classe', 'niveau', 'courriel', 'rattachement', 'licence'] as const;

const DEVICE_TYPES: AssetType[] = ['tablet', 'pc'];
const round1 = (n: number) => Math.round(n * 10) / 10;

/** ENT licences and the multi-year programme of a member (its plan, waves, actuals and indicators). */
export class ProgrammeService {
  constructor(
    private readonly db: Db,
    private readonly access: SchoolAccess,
  ) {}

  // ENT licences

  private async needs(schoolId: string): Promise<Record<LicenceProfile, number>> {
    const [pupils, staff] = await Promise.all([
      this.db.selectFrom('edu_pupils').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.coalesce(eb.fn.sum<number>('guardians'), sql<number>`0`).as('g')]).where('school_id', '=', schoolId).where('left_at', 'is', null).executeTakeFirstOrThrow(),
      this.db.selectFrom('edu_staff').select(['role', (eb) => eb.fn.countAll<number>().as('n')]).where('school_id', '=', schoolId).groupBy('role').execute(),
    ]);
    const byRole = new Map(staff.map((s) => [s.role, Number(s.n)]));
    return { pupil: Number(pupils.n), parent: Number(pupils.g), teacher: byRole.get('teacher') ?? 0, staff: byRole.get('staff') ?? 0 };
  }

  async licences(actor: Actor, schoolId: string): Promise<LicencePool[]> {
    await this.access.require(actor, schoolId, 'education_licence', 'read');
    const [needs, pools] = await Promise.all([this.needs(schoolId), this.db.selectFrom('edu_licence_pools').selectAll().where('school_id', '=', schoolId).execute()]);
    const byProfile = new Map(pools.map((p) => [p.profile, p]));
    return LICENCE_PROFILES.map((profile) => ({ profile, purchased: byProfile.get(profile)?.purchased ?? 0, needed: needs[profile], allocated: byProfile.get(profile)?.allocated ?? 0 }));
  }

  async setPurchased(actor: Actor, schoolId: string, profile: LicenceProfile, purchased: number): Promise<LicencePool[]> {
    const school = await this.access.require(actor, schoolId, 'education_licence', 'update');
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('edu_licence_pools').select('purchased').where('school_id', '=', schoolId).where('profile', '=', profile).executeTakeFirst();
      await trx
        .insertInto('edu_licence_pools')
        .values({ school_id: schoolId, profile, purchased, allocated: 0 })
        .onConflict((oc) => oc.columns(['school_id', 'profile']).doUpdateSet({ purchased }))
        .execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.licence.set', entityType: 'education_licence', entityId: schoolId, memberId: school.member_id, summary: { profile, before: before?.purchased ?? 0, after: purchased } });
    });
    return this.licences(actor, schoolId);
  }

  /**
   * The ENT account provisioning file of a school: one line per pupil, parent slot, teacher and staff
   * member; accounts beyond the purchased licences are marked "non" and the pools' allocation updated.
   */
  async provisioningCsv(actor: Actor, schoolId: string): Promise<string> {
    const school = await this.access.require(actor, schoolId, 'education_licence', 'read');
    if (!can(actor, 'read', 'education_pupil', school.member_id)) throw forbidden('L’export de provisionnement contient des données d’élèves : il est réservé aux gestionnaires de l’école.');
    const [pupils, staff, pools] = await Promise.all([
      this.db.selectFrom('edu_pupils as p').leftJoin('edu_classes as c', 'c.id', 'p.class_id').select(['p.school_ref', 'p.first_name', 'p.last_initial', 'p.level', 'p.guardians', 'c.name as class_name']).where('p.school_id', '=', schoolId).where('p.left_at', 'is', null).orderBy('p.school_ref').execute(),
      this.db.selectFrom('edu_staff').selectAll().where('school_id', '=', schoolId).orderBy('role').orderBy('school_ref').execute(),
      this.db.selectFrom('edu_licence_pools').selectAll().where('school_id', '=', schoolId).execute(),
    ]);
    const left = new Map<LicenceProfile, number>(LICENCE_PROFILES.map((p) => [p, pools.find((x) => x.profile === p)?.purchased ?? 0]));
    const used = new Map<LicenceProfile, number>(LICENCE_PROFILES.map((p) => [p, 0]));
    const licence = (profile: LicenceProfile) => {
      const remaining = left.get(profile)!;
      if (remaining <= 0) return 'non';
      left.set(profile, remaining - 1);
      used.set(profile, used.get(profile)! + 1);
      return 'oui';
    };
    const rows: Record<(typeof PROVISIONING_COLUMNS)[number], string>[] = [];
    for (const p of pupils) {
      rows.push({ uai: school.uai, profil: 'eleve', identifiant: p.school_ref, prenom: p.first_name, nom: p.last_initial, classe: p.class_name ?? '', niveau: p.level, courriel: '', rattachement: '', licence: licence('pupil') });
      for (let i = 1; i <= p.guardians; i += 1) {
        rows.push({ uai: school.uai, profil: 'parent', identifiant: `${p.school_ref}-R${i}`, prenom: '', nom: '', classe: p.class_name ?? '', niveau: '', courriel: '', rattachement: p.school_ref, licence: licence('parent') });
      }
    }
    for (const s of staff) {
      const profile: LicenceProfile = s.role === 'teacher' ? 'teacher' : 'staff';
      rows.push({ uai: school.uai, profil: s.role === 'teacher' ? 'enseignant' : 'personnel', identifiant: s.school_ref, prenom: s.first_name, nom: s.last_name, classe: '', niveau: '', courriel: s.email ?? '', rattachement: '', licence: licence(profile) });
    }
    await this.db.transaction().execute(async (trx) => {
      for (const profile of LICENCE_PROFILES) {
        await trx.updateTable('edu_licence_pools').set({ allocated: used.get(profile)! }).where('school_id', '=', schoolId).where('profile', '=', profile).execute();
      }
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.licence.provisioning_export', entityType: 'education_licence', entityId: schoolId, memberId: school.member_id, summary: { accounts: rows.length, allocated: Object.fromEntries(used) } });
    });
    return stringify(rows, { header: true, columns: [...PROVISIONING_COLUMNS], delimiter: ';' });
  }

  // Programme

  private async requireMember(actor: Actor, memberId: string, action: 'read' | 'update') {
    if (!can(actor, 'read', 'education_programme', memberId)) throw notFound('Programme');
    if (!can(actor, action, 'education_programme', memberId)) throw forbidden();
  }

  async save(actor: Actor, memberId: string, input: ProgrammeInput) {
    await this.requireMember(actor, memberId, 'update');
    await this.store(auditActor(actor), memberId, input);
    return this.get(actor, memberId);
  }

  /** Writes a member's programme, its budgets and waves (the caller has checked the rights). */
  async store(actor: AuditActor, memberId: string, input: ProgrammeInput): Promise<void> {
    const schools = new Set((await this.db.selectFrom('edu_schools').select('id').where('member_id', '=', memberId).execute()).map((s) => s.id));
    const badWave = input.waves.findIndex((w) => !schools.has(w.schoolId));
    if (badWave >= 0) throw validationFailed([{ field: `/body/waves/${badWave}/schoolId`, message: 'école inconnue pour ce membre' }]);
    const badYear = input.budgets.findIndex((b) => b.year < input.startYear);
    if (badYear >= 0) throw validationFailed([{ field: `/body/budgets/${badYear}/year`, message: 'année antérieure au début du programme' }]);
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('edu_programmes').select('id').where('member_id', '=', memberId).executeTakeFirst();
      const id = existing?.id ?? randomUUID();
      const row = {
        name: input.name.trim(),
        start_year: input.startYear,
        leaver_rule: input.leaverRule,
        target_devices: input.targets.devices,
        target_teachers: input.targets.teachersEquipped,
        target_projectors: input.targets.projectors,
        target_licences: input.targets.licences,
      };
      if (existing) await trx.updateTable('edu_programmes').set(row).where('id', '=', id).execute();
      else await trx.insertInto('edu_programmes').values({ id, member_id: memberId, ...row }).execute();
      await trx.deleteFrom('edu_programme_years').where('programme_id', '=', id).execute();
      if (input.budgets.length) await trx.insertInto('edu_programme_years').values(input.budgets.map((b) => ({ programme_id: id, year: b.year, budget: b.budget.toFixed(2) }))).execute();
      await trx.deleteFrom('edu_programme_waves').where('programme_id', '=', id).execute();
      if (input.waves.length) await trx.insertInto('edu_programme_waves').values(input.waves.map((w) => ({ programme_id: id, school_id: w.schoolId, wave: w.wave, planned_date: w.plannedDate }))).execute();
      await appendAudit(trx, { actor, action: existing ? 'education.programme.update' : 'education.programme.create', entityType: 'education_programme', entityId: id, memberId, summary: { after: input } });
    });
  }

  /** The plan, its waves, the actuals from the asset register and the indicators. */
  async get(actor: Actor, memberId: string) {
    await this.requireMember(actor, memberId, 'read');
    const programme = await this.db.selectFrom('edu_programmes').selectAll().where('member_id', '=', memberId).executeTakeFirst();
    if (!programme) throw notFound('Programme');
    const today = new Date().toISOString().slice(0, 10);
    const [years, waves, spend, fleet, pupils, classes, teachers, licences] = await Promise.all([
      this.db.selectFrom('edu_programme_years').select(['year', 'budget']).where('programme_id', '=', programme.id).orderBy('year').execute(),
      this.db
        .selectFrom('edu_programme_waves as w')
        .innerJoin('edu_schools as s', 's.id', 'w.school_id')
        .select((eb) => [
          'w.school_id',
          's.name',
          's.uai',
          'w.wave',
          'w.planned_date',
          eb.selectFrom('edu_assets as a').select(eb.fn.countAll<number>().as('n')).whereRef('a.school_id', '=', 'w.school_id').where('a.type', 'in', DEVICE_TYPES).where('a.state', '!=', 'retired').as('devices'),
          eb.selectFrom('edu_pupils as p').select(eb.fn.countAll<number>().as('n')).whereRef('p.school_id', '=', 'w.school_id').where('p.left_at', 'is', null).as('pupils'),
        ])
        .where('w.programme_id', '=', programme.id)
        .orderBy('w.wave')
        .orderBy('s.name')
        .execute(),
      this.db
        .selectFrom('edu_assets')
        .select([sql<number>`extract(year from purchase_date)::int`.as('year'), (eb) => eb.fn.sum<string>('unit_price').as('amount'), (eb) => eb.fn.countAll<number>().as('n')])
        .where('member_id', '=', memberId)
        .where('purchase_date', 'is not', null)
        .groupBy(sql`extract(year from purchase_date)`)
        .execute(),
      this.db
        .selectFrom('edu_assets')
        .select(['type', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`avg(${sql.val(today)}::date - purchase_date) / 365.25`.as('age')])
        .where('member_id', '=', memberId)
        .where('state', 'not in', ['retired', 'lost_or_stolen'])
        .groupBy('type')
        .execute(),
      this.db.selectFrom('edu_pupils as p').innerJoin('edu_schools as s', 's.id', 'p.school_id').select((eb) => eb.fn.countAll<number>().as('n')).where('s.member_id', '=', memberId).where('p.left_at', 'is', null).executeTakeFirstOrThrow(),
      this.classesEquipped(memberId),
      this.db
        .selectFrom('edu_staff as t')
        .innerJoin('edu_schools as s', 's.id', 't.school_id')
        .select([(eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(*) filter (where exists (select 1 from edu_assignments g join edu_assets a on a.id = g.asset_id where g.staff_id = t.id and g.returned_at is null and a.type in ('tablet', 'pc')))`.as('equipped')])
        .where('s.member_id', '=', memberId)
        .where('t.role', '=', 'teacher')
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('edu_licence_pools as l').innerJoin('edu_schools as s', 's.id', 'l.school_id').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('l.purchased'), sql<number>`0`).as('n')).where('s.member_id', '=', memberId).executeTakeFirstOrThrow(),
    ]);
    const spendByYear = new Map(spend.map((s) => [Number(s.year), Number(s.amount ?? 0)]));
    const plan = years.map((y) => ({ year: y.year, budget: Number(y.budget), spent: Math.round((spendByYear.get(y.year) ?? 0) * 100) / 100 }));
    const count = (types: AssetType[]) => fleet.filter((f) => types.includes(f.type)).reduce((n, f) => n + Number(f.n), 0);
    const devices = count(DEVICE_TYPES);
    const totalAssets = fleet.reduce((n, f) => n + Number(f.n), 0);
    const ageSum = fleet.reduce((n, f) => n + Number(f.age ?? 0) * Number(f.n), 0);
    const budgetTotal = plan.reduce((n, y) => n + y.budget, 0);
    const spentTotal = plan.reduce((n, y) => n + y.spent, 0);
    const budgetToDate = plan.filter((y) => y.year <= Number(today.slice(0, 4))).reduce((n, y) => n + y.budget, 0);
    return {
      memberId,
      name: programme.name,
      startYear: programme.start_year,
      leaverRule: programme.leaver_rule,
      targets: { devices: programme.target_devices, teachersEquipped: programme.target_teachers, projectors: programme.target_projectors, licences: programme.target_licences },
      actuals: { devices, teachersEquipped: Number(teachers.equipped), teachers: Number(teachers.n), projectors: count(['interactive_projector']), licences: Number(licences.n) },
      plan,
      waves: waves.map((w) => ({ schoolId: w.school_id, schoolName: w.name, uai: w.uai, wave: w.wave, plannedDate: w.planned_date, devices: Number(w.devices ?? 0), pupils: Number(w.pupils ?? 0) })),
      byType: fleet.map((f) => ({ type: f.type, count: Number(f.n) })).sort((a, b) => a.type.localeCompare(b.type)),
      indicators: {
        devicesPer100Pupils: Number(pupils.n) ? round1((devices * 100) / Number(pupils.n)) : null,
        shareClassesEquipped: classes.total ? Math.round((classes.equipped / classes.total) * 1000) / 1000 : null,
        spendAgainstPlan: budgetTotal ? Math.round((spentTotal / budgetTotal) * 1000) / 1000 : null,
        spendAgainstPlanToDate: budgetToDate ? Math.round((spentTotal / budgetToDate) * 1000) / 1000 : null,
        budgetTotal,
        spentTotal: Math.round(spentTotal * 100) / 100,
        averageFleetAgeYears: totalAssets ? round1(ageSum / totalAssets) : null,
      },
    };
  }

  /** Classes of the current school year with an interactive projector in their class or room. */
  private async classesEquipped(memberId: string): Promise<{ total: number; equipped: number }> {
    const today = new Date().toISOString().slice(0, 10);
    const row = await sql<{ total: number; equipped: number }>`
      select count(*)::int as total,
             count(*) filter (where exists (
               select 1 from edu_assignments g join edu_assets a on a.id = g.asset_id
               where g.class_id = c.id and g.returned_at is null and a.type = 'interactive_projector'))::int as equipped
      from edu_classes c join edu_schools s on s.id = c.school_id
      where s.member_id = ${memberId}
        and c.school_year = (select id from edu_school_years where start_date <= ${today}::date order by start_date desc limit 1)`.execute(this.db);
    return { total: Number(row.rows[0]?.total ?? 0), equipped: Number(row.rows[0]?.equipped ?? 0) };
  }
}
