import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { can, type Actor } from '../../platform/auth/policy.js';
import { appendAudit, SYSTEM_ACTOR, type AuditActor } from '../../platform/audit/audit.service.js';
import { AppError, conflict, forbidden, notFound, validationFailed } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import type { TerritoryService } from '../territory/index.js';
import { CsvFileRefused } from './csv-files.js';
import { LEVELS, type Level } from './education.tables.js';
import { readOndeExtraction, type OndeFiles, type OndeReject } from './onde-import.js';
import { auditActor, SchoolAccess, type School } from './school-access.js';
import { AssetService } from './asset.service.js';
import { RolloverService } from './rollover.service.js';
import { RepairService } from './repair.service.js';
import { ProgrammeService } from './programme.service.js';

export interface SchoolYear {
  id: string;
  startDate: string;
  endDate: string;
}

export interface SchoolSummary {
  id: string;
  uai: string;
  name: string;
  memberId: string;
  pupils: number;
  classes: number;
  assets: number;
}

export interface ClassSummary {
  id: string;
  schoolId: string;
  schoolYear: string;
  name: string;
  levels: string[];
  pupils: number;
}

export interface Pupil {
  id: string;
  schoolId: string;
  schoolRef: string;
  firstName: string;
  lastInitial: string;
  level: string;
  classId: string | null;
  className: string | null;
  guardians: number;
  leftAt: string | null;
  tablet: string | null;
}

export interface StaffMember {
  id: string;
  schoolRef: string;
  firstName: string;
  lastName: string;
  role: string;
  email: string | null;
  devices: number;
}

export interface OndeImportResult {
  schoolId: string;
  uai: string;
  schoolYear: string;
  lines: number;
  pupils: { created: number; updated: number };
  staff: { created: number; updated: number };
  classes: { created: number };
  encodings: Record<string, string>;
  rejects: OndeReject[];
}

/** The school year containing `date`, else the last one started before it. */
export async function currentSchoolYear(db: Db, date = new Date().toISOString().slice(0, 10)): Promise<string | undefined> {
  const row = await db.selectFrom('edu_school_years').select('id').where('start_date', '<=', date).orderBy('start_date', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? (await db.selectFrom('edu_school_years').select('id').orderBy('start_date').limit(1).executeTakeFirst())?.id;
}

const YEAR_ID = /^(\d{4})-(\d{4})$/;

export class EducationService {
  readonly access: SchoolAccess;
  readonly assets: AssetService;
  readonly rollover: RolloverService;
  readonly repairs: RepairService;
  readonly programme: ProgrammeService;
  private readonly db: Db;

  constructor(
    database: Database,
    private readonly bus: EventBus,
    private readonly territory: TerritoryService,
    readonly retentionMonths: number,
  ) {
    this.db = database.db;
    this.access = new SchoolAccess(this.db);
    this.assets = new AssetService(database, bus, this.access);
    this.rollover = new RolloverService(this.db, bus, this.access);
    this.repairs = new RepairService(this.db, bus, this.access, this.assets);
    this.programme = new ProgrammeService(this.db, this.access);
  }

  // School years: the national calendar, shared by every member.

  async listSchoolYears(): Promise<SchoolYear[]> {
    const rows = await this.db.selectFrom('edu_school_years').selectAll().orderBy('start_date').execute();
    return rows.map((r) => ({ id: r.id, startDate: r.start_date, endDate: r.end_date }));
  }

  async createSchoolYear(actor: AuditActor, input: SchoolYear): Promise<SchoolYear> {
    const match = YEAR_ID.exec(input.id);
    if (!match || Number(match[2]) !== Number(match[1]) + 1) throw validationFailed([{ field: '/body/id', message: 'une année scolaire s’écrit AAAA-AAAA, deux années qui se suivent (ex. 2026-2027)' }]);
    if (input.startDate >= input.endDate) throw validationFailed([{ field: '/body/endDate', message: 'la fin doit suivre le début' }]);
    if (!input.startDate.startsWith(match[1]!)) throw validationFailed([{ field: '/body/startDate', message: `la rentrée doit tomber en ${match[1]}` }]);
    await this.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('edu_school_years').select('id').where('id', '=', input.id).executeTakeFirst();
      if (exists) throw conflict(`L’année scolaire ${input.id} existe déjà.`);
      await trx.insertInto('edu_school_years').values({ id: input.id, start_date: input.startDate, end_date: input.endDate }).execute();
      await appendAudit(trx, { actor, action: 'education.school_year.create', entityType: 'education_school_year', entityId: input.id, summary: { after: input } });
    });
    return input;
  }

  // Schools

  async listSchools(actor: Actor): Promise<SchoolSummary[]> {
    const scope = await this.access.scope(actor, 'education_school');
    const year = await currentSchoolYear(this.db);
    let query = this.db
      .selectFrom('edu_schools as s')
      .select((eb) => [
        's.id',
        's.uai',
        's.name',
        's.member_id',
        eb.selectFrom('edu_pupils as p').select(eb.fn.countAll<number>().as('n')).whereRef('p.school_id', '=', 's.id').where('p.left_at', 'is', null).as('pupils'),
        eb.selectFrom('edu_classes as c').select(eb.fn.countAll<number>().as('n')).whereRef('c.school_id', '=', 's.id').where('c.school_year', '=', year ?? '').as('classes'),
        eb.selectFrom('edu_assets as a').select(eb.fn.countAll<number>().as('n')).whereRef('a.school_id', '=', 's.id').where('a.state', '!=', 'retired').as('assets'),
      ])
      .orderBy('s.name');
    if (scope !== 'all') query = query.where('s.id', 'in', scope.length ? scope : ['00000000-0000-0000-0000-000000000000']);
    const rows = await query.execute();
    return rows.map((r) => ({ id: r.id, uai: r.uai, name: r.name, memberId: r.member_id, pupils: Number(r.pupils ?? 0), classes: Number(r.classes ?? 0), assets: Number(r.assets ?? 0) }));
  }

  async getSchool(actor: Actor, id: string): Promise<SchoolSummary> {
    await this.access.require(actor, id, 'education_school', 'read');
    return (await this.listSchools(actor)).find((s) => s.id === id)!;
  }

  /** Enrols a territory school site (with its UAI) in the module. Idempotent for a site already enrolled. */
  async registerSchool(actor: Actor | null, siteId: string): Promise<School> {
    const site = await this.territory.getSite(siteId);
    if (actor && !can(actor, 'create', 'education_school', site.memberId)) throw forbidden();
    if (site.kind !== 'school' || !site.uai) throw validationFailed([{ field: '/body/siteId', message: 'ce site n’est pas une école (type « école » avec un code UAI)' }]);
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('edu_schools').selectAll().where('id', '=', site.id).executeTakeFirst();
      if (existing) return existing;
      const school = await trx.insertInto('edu_schools').values({ id: site.id, member_id: site.memberId, uai: site.uai!, name: site.name }).returningAll().executeTakeFirstOrThrow();
      await appendAudit(trx, { actor: actor ? auditActor(actor) : SYSTEM_ACTOR, action: 'education.school.register', entityType: 'education_school', entityId: school.id, memberId: school.member_id, summary: { after: { uai: school.uai, name: school.name } } });
      return school;
    });
  }

  async schoolByUai(actor: Actor, uai: string): Promise<School> {
    const school = await this.db.selectFrom('edu_schools').selectAll().where('uai', '=', uai.trim().toUpperCase()).executeTakeFirst();
    if (!school || !(await this.access.sees(actor, school))) throw new AppError(404, 'not_found', `UAI inconnu : ${uai} (aucune école de votre périmètre n’a ce code).`);
    return school;
  }

  /** Gives a school_staff account access to a school (and only to the schools so given). */
  async grantStaffAccess(actor: Actor, schoolId: string, email: string): Promise<void> {
    const school = await this.access.require(actor, schoolId, 'education_school', 'update');
    const user = await this.db.selectFrom('users').select(['id', 'role', 'member_id']).where(sql<string>`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst();
    if (!user) throw validationFailed([{ field: '/body/email', message: `aucun compte pour ${email}` }]);
    if (user.role !== 'school_staff') throw validationFailed([{ field: '/body/email', message: 'seul un compte « personnel scolaire » reçoit un accès à une école' }]);
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('edu_staff_access').values({ user_id: user.id, school_id: school.id }).onConflict((oc) => oc.doNothing()).execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.staff_access.grant', entityType: 'education_school', entityId: school.id, memberId: school.member_id, summary: { userId: user.id, email } });
    });
  }

  async listStaffAccess(actor: Actor, schoolId: string): Promise<{ userId: string; email: string; displayName: string }[]> {
    await this.access.require(actor, schoolId, 'education_school', 'read');
    const rows = await this.db
      .selectFrom('edu_staff_access as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['u.id', 'u.email', 'u.display_name'])
      .where('a.school_id', '=', schoolId)
      .orderBy('u.email')
      .execute();
    return rows.map((r) => ({ userId: r.id, email: r.email, displayName: r.display_name }));
  }

  // Classes, pupils and staff

  async listClasses(actor: Actor, schoolId: string, year?: string): Promise<ClassSummary[]> {
    await this.access.require(actor, schoolId, 'education_school', 'read');
    const schoolYear = year ?? (await currentSchoolYear(this.db));
    const rows = await this.db
      .selectFrom('edu_classes as c')
      .select((eb) => ['c.id', 'c.school_id', 'c.school_year', 'c.name', 'c.levels', eb.selectFrom('edu_pupils as p').select(eb.fn.countAll<number>().as('n')).whereRef('p.class_id', '=', 'c.id').where('p.left_at', 'is', null).as('pupils')])
      .where('c.school_id', '=', schoolId)
      .where('c.school_year', '=', schoolYear ?? '')
      .orderBy(sql`array_position(${sql.val([...LEVELS])}::text[], c.levels[1])`)
      .orderBy('c.name')
      .execute();
    return rows.map((r) => ({ id: r.id, schoolId: r.school_id, schoolYear: r.school_year, name: r.name, levels: r.levels, pupils: Number(r.pupils ?? 0) }));
  }

  async createClass(actor: Actor, schoolId: string, input: { schoolYear: string; name: string; levels: Level[] }): Promise<ClassSummary> {
    const school = await this.access.require(actor, schoolId, 'education_pupil', 'create');
    const year = await this.db.selectFrom('edu_school_years').select('id').where('id', '=', input.schoolYear).executeTakeFirst();
    if (!year) throw validationFailed([{ field: '/body/schoolYear', message: `année scolaire inconnue : ${input.schoolYear}` }]);
    const levels = LEVELS.filter((l) => input.levels.includes(l));
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const clash = await trx.selectFrom('edu_classes').select('id').where('school_id', '=', schoolId).where('school_year', '=', input.schoolYear).where('name', '=', input.name.trim()).executeTakeFirst();
      if (clash) throw conflict(`La classe « ${input.name} » existe déjà pour ${input.schoolYear}.`);
      await trx.insertInto('edu_classes').values({ id, school_id: schoolId, school_year: input.schoolYear, name: input.name.trim(), levels, previous_class_id: null }).execute();
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.class.create', entityType: 'education_class', entityId: id, memberId: school.member_id, summary: { after: { ...input, levels } } });
    });
    return { id, schoolId, schoolYear: input.schoolYear, name: input.name.trim(), levels, pupils: 0 };
  }

  async listPupils(actor: Actor, schoolId: string, filter: PageRequest & { q?: string | undefined; classId?: string | undefined; includeLeft?: boolean | undefined }) {
    const school = await this.access.require(actor, schoolId, 'education_pupil', 'read');
    let query = this.db
      .selectFrom('edu_pupils as p')
      .leftJoin('edu_classes as c', 'c.id', 'p.class_id')
      .select((eb) => [
        'p.id',
        'p.school_id',
        'p.school_ref',
        'p.first_name',
        'p.last_initial',
        'p.level',
        'p.class_id',
        'c.name as class_name',
        'p.guardians',
        'p.left_at',
        eb
          .selectFrom('edu_assignments as g')
          .innerJoin('edu_assets as a', 'a.id', 'g.asset_id')
          .select('a.serial')
          .whereRef('g.pupil_id', '=', 'p.id')
          .where('g.returned_at', 'is', null)
          .where('a.type', '=', 'tablet')
          .limit(1)
          .as('tablet'),
      ])
      .where('p.school_id', '=', school.id);
    if (!filter.includeLeft) query = query.where('p.left_at', 'is', null);
    if (filter.classId) query = query.where('p.class_id', '=', filter.classId);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("p.first_name || ' ' || p.last_initial || ' ' || p.school_ref"))}`, 'like', searchPattern(filter.q));
    const sort = parseSort(filter.sort, 'name');
    const order = { name: 'p.first_name', schoolRef: 'p.school_ref', level: 'p.level', className: 'c.name' } as const;
    const [rows, count] = await Promise.all([
      query.orderBy(order[sort.field as keyof typeof order] ?? 'p.first_name', sort.direction).orderBy('p.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const items: Pupil[] = rows.map((r) => ({
      id: r.id,
      schoolId: r.school_id,
      schoolRef: r.school_ref,
      firstName: r.first_name,
      lastInitial: r.last_initial,
      level: r.level,
      classId: r.class_id,
      className: r.class_name,
      guardians: r.guardians,
      leftAt: r.left_at,
      tablet: r.tablet ?? null,
    }));
    return { items, total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async listStaff(actor: Actor, schoolId: string): Promise<StaffMember[]> {
    await this.access.require(actor, schoolId, 'education_school', 'read');
    const rows = await this.db
      .selectFrom('edu_staff as s')
      .select((eb) => [
        's.id',
        's.school_ref',
        's.first_name',
        's.last_name',
        's.role',
        's.email',
        eb.selectFrom('edu_assignments as g').select(eb.fn.countAll<number>().as('n')).whereRef('g.staff_id', '=', 's.id').where('g.returned_at', 'is', null).as('devices'),
      ])
      .where('s.school_id', '=', schoolId)
      .orderBy('s.last_name')
      .execute();
    return rows.map((r) => ({ id: r.id, schoolRef: r.school_ref, firstName: r.first_name, lastName: r.last_name, role: r.role, email: r.email, devices: Number(r.devices ?? 0) }));
  }

  /**
   * Imports one school's ONDE extraction for a school year: pupils and staff are created or updated by
   * the school's identifier, classes created by name. A refused file refuses the whole import.
   */
  async importOnde(actor: Actor, input: { uai: string; schoolYear: string; files: OndeFiles }): Promise<OndeImportResult> {
    const school = await this.schoolByUai(actor, input.uai);
    await this.access.require(actor, school.id, 'education_pupil', 'create');
    const year = await this.db.selectFrom('edu_school_years').select('id').where('id', '=', input.schoolYear).executeTakeFirst();
    if (!year) throw validationFailed([{ field: '/body/schoolYear', message: `année scolaire inconnue : ${input.schoolYear}` }]);
    let extraction;
    try {
      extraction = readOndeExtraction(input.files);
    } catch (error) {
      if (error instanceof CsvFileRefused) throw new AppError(422, 'file_refused', `Import refusé, rien n’a été enregistré. ${error.message}`, [{ field: '/body/files', message: error.message }]);
      throw error;
    }
    const result: OndeImportResult = {
      schoolId: school.id,
      uai: school.uai,
      schoolYear: input.schoolYear,
      lines: extraction.lines,
      pupils: { created: 0, updated: 0 },
      staff: { created: 0, updated: 0 },
      classes: { created: 0 },
      encodings: extraction.encodings,
      rejects: extraction.rejects,
    };
    await this.db.transaction().execute(async (trx) => {
      const classes = new Map((await trx.selectFrom('edu_classes').select(['id', 'name', 'levels']).where('school_id', '=', school.id).where('school_year', '=', input.schoolYear).execute()).map((c) => [c.name, c]));
      const classLevels = new Map<string, Set<string>>();
      for (const p of extraction.pupils) classLevels.set(p.className, (classLevels.get(p.className) ?? new Set()).add(p.level));
      for (const [name, levels] of classLevels) {
        const existing = classes.get(name);
        const merged = LEVELS.filter((l) => levels.has(l) || existing?.levels.includes(l));
        if (!existing) {
          const id = randomUUID();
          await trx.insertInto('edu_classes').values({ id, school_id: school.id, school_year: input.schoolYear, name, levels: merged, previous_class_id: null }).execute();
          classes.set(name, { id, name, levels: merged });
          result.classes.created += 1;
        } else if (merged.length !== existing.levels.length) {
          await trx.updateTable('edu_classes').set({ levels: merged }).where('id', '=', existing.id).execute();
        }
      }
      const known = new Set((await trx.selectFrom('edu_pupils').select('school_ref').where('school_id', '=', school.id).execute()).map((r) => r.school_ref));
      for (let i = 0; i < extraction.pupils.length; i += 500) {
        const values = extraction.pupils.slice(i, i + 500).map((p) => ({
          id: randomUUID(),
          school_id: school.id,
          school_ref: p.schoolRef,
          first_name: p.firstName,
          last_initial: p.lastInitial,
          level: p.level,
          class_id: classes.get(p.className)!.id,
          guardians: p.guardians ?? 0,
          left_at: null,
        }));
        await trx
          .insertInto('edu_pupils')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['school_id', 'school_ref']).doUpdateSet((eb) => ({
              first_name: eb.ref('excluded.first_name'),
              last_initial: eb.ref('excluded.last_initial'),
              level: eb.ref('excluded.level'),
              class_id: eb.ref('excluded.class_id'),
              left_at: null,
              // Without a guardians file the counts already known stay.
              ...(input.files.guardians ? { guardians: eb.ref('excluded.guardians') } : {}),
            })),
          )
          .execute();
      }
      for (const p of extraction.pupils) result.pupils[known.has(p.schoolRef) ? 'updated' : 'created'] += 1;
      const knownStaff = new Set((await trx.selectFrom('edu_staff').select('school_ref').where('school_id', '=', school.id).execute()).map((r) => r.school_ref));
      if (extraction.staff.length) {
        await trx
          .insertInto('edu_staff')
          .values(extraction.staff.map((s) => ({ id: randomUUID(), school_id: school.id, school_ref: s.schoolRef, first_name: s.firstName, last_name: s.lastName, role: s.role, email: s.email })))
          .onConflict((oc) =>
            oc.columns(['school_id', 'school_ref']).doUpdateSet((eb) => ({
              first_name: eb.ref('excluded.first_name'),
              last_name: eb.ref('excluded.last_name'),
              role: eb.ref('excluded.role'),
              email: eb.ref('excluded.email'),
            })),
          )
          .execute();
      }
      for (const s of extraction.staff) result.staff[knownStaff.has(s.schoolRef) ? 'updated' : 'created'] += 1;
      await appendAudit(trx, {
        actor: auditActor(actor),
        action: 'education.onde.import',
        entityType: 'education_school',
        entityId: school.id,
        memberId: school.member_id,
        summary: { schoolYear: input.schoolYear, lines: result.lines, pupils: result.pupils, staff: result.staff, classes: result.classes, rejected: result.rejects.length },
      });
    });
    await this.bus.publish({ topic: 'education.education_pupil.imported', memberId: school.member_id, data: { schoolId: school.id, pupils: result.pupils, rejected: result.rejects.length } });
    return result;
  }

  // Personal data

  /** Everything held about one pupil, for a request under the GDPR; the access is audited. */
  async exportPupil(actor: Actor, pupilId: string) {
    const pupil = await this.db.selectFrom('edu_pupils').selectAll().where('id', '=', pupilId).executeTakeFirst();
    if (!pupil) throw notFound('Élève');
    const school = await this.access.require(actor, pupil.school_id, 'education_pupil', 'read');
    const [klass, assignments, checklist] = await Promise.all([
      pupil.class_id ? this.db.selectFrom('edu_classes').select(['name', 'school_year', 'levels']).where('id', '=', pupil.class_id).executeTakeFirst() : undefined,
      this.db
        .selectFrom('edu_assignments as g')
        .innerJoin('edu_assets as a', 'a.id', 'g.asset_id')
        .select(['a.type', 'a.serial', 'a.label', 'g.assigned_at', 'g.returned_at', 'g.end_reason', 'g.loan'])
        .where('g.pupil_id', '=', pupilId)
        .orderBy('g.assigned_at')
        .execute(),
      this.db.selectFrom('edu_checklist').select(['item', 'label']).where('pupil_id', '=', pupilId).execute(),
    ]);
    await this.db.transaction().execute(async (trx) => {
      await appendAudit(trx, { actor: auditActor(actor), action: 'education.pupil.export', entityType: 'education_pupil', entityId: pupilId, memberId: school.member_id });
    });
    return {
      exportedAt: new Date().toISOString(),
      school: { uai: school.uai, name: school.name },
      pupil: {
        id: pupil.id,
        schoolRef: pupil.school_ref,
        firstName: pupil.first_name,
        lastInitial: pupil.last_initial,
        level: pupil.level,
        class: klass ? { name: klass.name, schoolYear: klass.school_year, levels: klass.levels } : null,
        guardians: pupil.guardians,
        leftAt: pupil.left_at,
        createdAt: pupil.created_at.toISOString(),
      },
      devices: assignments.map((a) => ({
        type: a.type,
        serial: a.serial,
        label: a.label,
        loan: a.loan,
        assignedAt: a.assigned_at.toISOString(),
        returnedAt: a.returned_at?.toISOString() ?? null,
        endReason: a.end_reason,
      })),
      checklist,
    };
  }

  /**
   * Deletes the pupils who left more than the retention period ago. Their devices' history stays, with
   * the pupil's reference removed (the foreign keys set it to null); one audit record per run.
   */
  async purgeLeftPupils(actor: AuditActor = SYSTEM_ACTOR, now = new Date()): Promise<{ purged: number; before: string }> {
    const limit = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - this.retentionMonths, now.getUTCDate())).toISOString().slice(0, 10);
    const purged = await this.db.transaction().execute(async (trx) => {
      const rows = await trx.deleteFrom('edu_pupils').where('left_at', '<', limit).returning(['id', 'school_id']).execute();
      if (rows.length) {
        const schools = [...new Set(rows.map((r) => r.school_id))];
        await appendAudit(trx, { actor, action: 'education.pupil.purge', entityType: 'education_pupil', summary: { purged: rows.length, leftBefore: limit, retentionMonths: this.retentionMonths, schools } });
      }
      return rows.length;
    });
    return { purged, before: limit };
  }
}
