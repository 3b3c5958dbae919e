import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { can, visibleScope, type Action, type Actor, type Resource } from '../../platform/auth/policy.js';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import { forbidden, notFound } from '../../platform/http/errors.js';
import type { EduSchoolsTable } from './education.tables.js';

export type School = Selectable<EduSchoolsTable>;
/** 'all' or the ids of the schools an account may see. */
export type SchoolScope = 'all' | string[];

export const auditActor = (actor: Actor): AuditActor => ({ id: actor.userId || null, label: actor.email });

/** The command line acts for the SMO with every right; its audit records have no user. */
export const CLI_ACTOR: Actor = { userId: '', email: 'cli', role: 'smo_admin', memberId: 'smo', memberTree: new Set(['smo']) };

/**
 * The policy gives school_staff their member's tree; here it narrows to the schools each account is
 * assigned to, so that the staff of one school never reach another school's rolls.
 */
export class SchoolAccess {
  constructor(private readonly db: Db) {}

  async assignedSchools(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('edu_staff_access').select('school_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.school_id);
  }

  /** The schools whose `resource` the actor may `action` on. */
  async scope(actor: Actor, resource: Resource, action: Action = 'read'): Promise<SchoolScope> {
    const members = visibleScope(actor, resource, action);
    if (members === 'none') return [];
    const assigned = actor.role === 'school_staff' ? await this.assignedSchools(actor.userId) : undefined;
    if (members === 'all' && !assigned) return 'all';
    let query = this.db.selectFrom('edu_schools').select('id');
    if (members !== 'all') query = query.where('member_id', 'in', members.length ? members : ['']);
    if (assigned) query = query.where('id', 'in', assigned.length ? assigned : ['00000000-0000-0000-0000-000000000000']);
    return (await query.execute()).map((r) => r.id);
  }

  /**
   * The school if the actor may `action` its `resource`: 404 when the school is not the actor's to see
   * (not even its existence leaks), 403 when it is visible but the action is not allowed.
   */
  async require(actor: Actor, schoolId: string, resource: Resource, action: Action): Promise<School> {
    const school = /^[0-9a-f-]{36}$/i.test(schoolId) ? await this.db.selectFrom('edu_schools').selectAll().where('id', '=', schoolId).executeTakeFirst() : undefined;
    if (!school || !(await this.sees(actor, school))) throw notFound('École');
    if (!can(actor, action, resource, school.member_id)) throw forbidden();
    return school;
  }

  async sees(actor: Actor, school: School): Promise<boolean> {
    if (!can(actor, 'read', 'education_school', school.member_id)) return false;
    if (actor.role !== 'school_staff') return true;
    return (await this.assignedSchools(actor.userId)).includes(school.id);
  }

  /** For an asset (or anything owned by a member and maybe a school): same rules as `require`. */
  async requireOwned(actor: Actor, owner: { member_id: string; school_id: string | null }, resource: Resource, action: Action, what: string): Promise<void> {
    if (!can(actor, 'read', resource, owner.member_id)) throw notFound(what);
    if (actor.role === 'school_staff' && !(owner.school_id && (await this.assignedSchools(actor.userId)).includes(owner.school_id))) throw notFound(what);
    if (!can(actor, action, resource, owner.member_id)) throw forbidden();
  }
}
