import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db, Tables } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import type { Actor } from '../../platform/auth/policy.js';
import { appendAudit } from '../../platform/audit/audit.service.js';
import { AppError, notFound } from '../../platform/http/errors.js';
import { LEAVING_LEVELS, LEVELS, type ChecklistItem, type Level, type LeaverRule } from './education.tables.js';
import { auditActor, type School, type SchoolAccess } from './school-access.js';

type Trx = Transaction<Tables>;

/** The level after `level`, or null when the pupil leaves the school (CM2 → collège, 3e → lycée). */
export function nextLevel(level: string): Level | null {
  if (LEAVING_LEVELS.has(level as Level)) return null;
  const i = LEVELS.indexOf(level as Level);
  return i < 0 ? null : LEVELS[i + 1]!;
}

const LEVEL_TOKEN = new RegExp(`(^|[^\\p{L}\\d])(${[...LEVELS].sort((a, b) => b.length - a.length).join('|')})(?=$|[^\\p{L}\\d])`, 'gu');
/** "CP A" → "CE1 A", "CE2-CM1" → "CM1-CM2": every level named in a class's name moves up with it. */
export const nextClassName = (name: string) => name.replace(LEVEL_TOKEN, (_m, before: string, level: string) => `${before}${nextLevel(level) ?? level}`);

export interface RolloverSummary {
  schoolId: string;
  schoolName: string;
  fromYear: string;
  toYear: string;
  rule: LeaverRule;
  /** false when this school had already been rolled over to that year: nothing changed. */
  changed: boolean;
  classesCreated: number;
  pupilsMovedUp: number;
  pupilsLeft: number;
  tabletsToCollect: number;
  tabletsLeftWithPupils: number;
}

export interface ChecklistEntry {
  item: ChecklistItem;
  label: string;
  done: boolean;
  serial: string | null;
}

export class RolloverService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly access: SchoolAccess,
  ) {}

  private async years(toYear: string) {
    const to = await this.db.selectFrom('edu_school_years').selectAll().where('id', '=', toYear).executeTakeFirst();
    if (!to) throw new AppError(422, 'school_year_missing', `L’année scolaire ${toYear} n’existe pas encore : créez-la avant de faire la bascule. Rien n’a été modifié.`, [{ field: '/body/toYear', message: 'année scolaire inconnue' }]);
    const from = await this.db.selectFrom('edu_school_years').selectAll().where('start_date', '<', to.start_date).orderBy('start_date', 'desc').limit(1).executeTakeFirst();
    if (!from) throw new AppError(422, 'school_year_missing', `Aucune année scolaire ne précède ${toYear} : rien à faire basculer.`, [{ field: '/body/toYear', message: 'pas d’année précédente' }]);
    return { from, to };
  }

  /**
   * Moves the schools (one, or all the actor may manage) from the school year before `toYear` to
   * `toYear`, in one transaction. A school already rolled over to `toYear` is left as it is.
   */
  async run(actor: Actor, input: { toYear: string; schoolId?: string | undefined }): Promise<RolloverSummary[]> {
    const { from, to } = await this.years(input.toYear);
    let schools: School[];
    if (input.schoolId) {
      schools = [await this.access.require(actor, input.schoolId, 'education_pupil', 'update')];
    } else {
      const scope = await this.access.scope(actor, 'education_pupil', 'update');
      let query = this.db.selectFrom('edu_schools').selectAll().orderBy('name');
      if (scope !== 'all') query = query.where('id', 'in', scope.length ? scope : ['00000000-0000-0000-0000-000000000000']);
      schools = await query.execute();
    }
    if (!schools.length) throw notFound('École');
    const rules = new Map((await this.db.selectFrom('edu_programmes').select(['member_id', 'leaver_rule']).execute()).map((p) => [p.member_id, p.leaver_rule]));
    const summaries = await this.db.transaction().execute(async (trx) => {
      const out: RolloverSummary[] = [];
      for (const school of schools) out.push(await this.rollSchool(trx, actor, school, from.id, from.end_date, to.id, rules.get(school.member_id) ?? 'return'));
      return out;
    });
    for (const s of summaries.filter((s) => s.changed)) {
      const memberId = schools.find((x) => x.id === s.schoolId)!.member_id;
      await this.bus.publish({ topic: 'education.education_school.rolled_over', memberId, data: s });
    }
    return summaries;
  }

  private async rollSchool(trx: Trx, actor: Actor, school: School, fromYear: string, leftAt: string, toYear: string, rule: LeaverRule): Promise<RolloverSummary> {
    const summary: RolloverSummary = { schoolId: school.id, schoolName: school.name, fromYear, toYear, rule, changed: false, classesCreated: 0, pupilsMovedUp: 0, pupilsLeft: 0, tabletsToCollect: 0, tabletsLeftWithPupils: 0 };
    // The lock makes a concurrent second run wait, then find the first one's record and change nothing.
    await sql`select id from edu_schools where id = ${school.id} for update`.execute(trx);
    const done = await trx.selectFrom('edu_rollovers').select('summary').where('school_id', '=', school.id).where('to_year', '=', toYear).executeTakeFirst();
    if (done) return { ...(done.summary as RolloverSummary), changed: false };
    const rolloverId = randomUUID();
    await trx.insertInto('edu_rollovers').values({ id: rolloverId, school_id: school.id, from_year: fromYear, to_year: toYear, rule, summary: '{}', done_by: actor.email }).execute();

    // Classes move up; a class whose every level leaves (CM2) has no successor.
    const oldClasses = await trx.selectFrom('edu_classes').select(['id', 'name', 'levels']).where('school_id', '=', school.id).where('school_year', '=', fromYear).execute();
    const existing = new Map((await trx.selectFrom('edu_classes').select(['id', 'name']).where('school_id', '=', school.id).where('school_year', '=', toYear).execute()).map((c) => [c.name, c.id]));
    const successors: { old: string; next: string }[] = [];
    const fresh = [];
    for (const c of oldClasses) {
      const levels = LEVELS.filter((l) => c.levels.some((old) => nextLevel(old) === l));
      if (!levels.length) continue;
      const name = nextClassName(c.name);
      const reuse = existing.get(name);
      if (reuse) {
        successors.push({ old: c.id, next: reuse });
        continue;
      }
      const id = randomUUID();
      existing.set(name, id);
      fresh.push({ id, school_id: school.id, school_year: toYear, name, levels, previous_class_id: c.id });
      successors.push({ old: c.id, next: id });
    }
    if (fresh.length) await trx.insertInto('edu_classes').values(fresh).execute();
    summary.classesCreated = fresh.length;
    const oldIds = oldClasses.map((c) => c.id);
    const checklist: { rollover_id: string; item: ChecklistItem; asset_id: string | null; assignment_id: string | null; pupil_id: string | null; label: string }[] = [];

    if (oldIds.length) {
      // Leavers: their open tablet assignments follow the programme's rule.
      const leavers = await trx
        .updateTable('edu_pupils')
        .set({ left_at: leftAt })
        .where('class_id', 'in', oldIds)
        .where('left_at', 'is', null)
        .where('level', 'in', [...LEAVING_LEVELS])
        .returning(['id', 'first_name', 'last_initial'])
        .execute();
      summary.pupilsLeft = leavers.length;
      if (leavers.length) {
        const held = await trx
          .selectFrom('edu_assignments as g')
          .innerJoin('edu_assets as a', 'a.id', 'g.asset_id')
          .innerJoin('edu_pupils as p', 'p.id', 'g.pupil_id')
          .select(['g.id', 'g.asset_id', 'g.pupil_id', 'a.serial', 'a.type', 'p.first_name', 'p.last_initial'])
          .where('g.pupil_id', 'in', leavers.map((l) => l.id))
          .where('g.returned_at', 'is', null)
          .execute();
        const tablets = held.filter((h) => h.type === 'tablet');
        const others = held.filter((h) => h.type !== 'tablet');
        if (rule === 'keep' && tablets.length) {
          const ids = tablets.map((t) => t.asset_id);
          await trx.updateTable('edu_assignments').set({ returned_at: new Date(), end_reason: 'left_with_pupil' }).where('id', 'in', tablets.map((t) => t.id)).execute();
          await trx.updateTable('edu_assets').set({ state: 'retired', room: null }).where('id', 'in', ids).execute();
          await trx
            .insertInto('edu_asset_history')
            .columns(['asset_id', 'actor', 'event', 'from_state', 'to_state', 'detail'])
            .expression((eb) => eb.selectFrom(sql<{ u: string }>`unnest(${sql.val(ids)}::uuid[])`.as('u')).select([sql`u`.as('asset_id'), sql.lit(actor.email).as('actor'), sql.lit('left_with_pupil').as('event'), sql.lit('assigned').as('from_state'), sql.lit('retired').as('to_state'), sql.lit(`rollover ${toYear}`).as('detail')]))
            .execute();
          summary.tabletsLeftWithPupils = tablets.length;
        }
        for (const h of rule === 'keep' ? others : held) {
          checklist.push({ rollover_id: rolloverId, item: 'collect_tablet', asset_id: h.asset_id, assignment_id: h.id, pupil_id: h.pupil_id, label: `Récupérer ${h.type === 'tablet' ? 'la tablette' : 'l’équipement'} ${h.serial} de ${h.first_name} ${h.last_initial}. (départ au collège)` });
        }
        if (rule === 'keep') for (const h of tablets) checklist.push({ rollover_id: rolloverId, item: 'tablet_leaves', asset_id: h.asset_id, assignment_id: h.id, pupil_id: h.pupil_id, label: `La tablette ${h.serial} part au collège avec ${h.first_name} ${h.last_initial}.` });
        summary.tabletsToCollect = checklist.filter((c) => c.item === 'collect_tablet').length;
      }

      // Everyone else moves up a level, into the class that succeeds theirs.
      const levelCase = sql.raw(`case level ${LEVELS.map((l) => [l, nextLevel(l)] as const).filter(([, n]) => n).map(([l, n]) => `when '${l}' then '${n}'`).join(' ')} else level end`);
      const moved = await sql<{ id: string; class_id: string | null; first_name: string; last_initial: string }>`
        update edu_pupils p set level = ${levelCase}, class_id = c.id
        from edu_classes o left join edu_classes c on c.previous_class_id = o.id
        where o.id = p.class_id and o.school_id = ${school.id} and o.school_year = ${fromYear} and p.left_at is null
        returning p.id, p.class_id, p.first_name, p.last_initial`.execute(trx);
      summary.pupilsMovedUp = moved.rows.length;
      for (const p of moved.rows.filter((r) => r.class_id === null)) {
        checklist.push({ rollover_id: rolloverId, item: 'place_pupil', asset_id: null, assignment_id: null, pupil_id: p.id, label: `Placer ${p.first_name} ${p.last_initial}. dans une classe de ${toYear}.` });
      }

      // Equipment lent to a class follows the class; a class that ended leaves its equipment to reassign.
      for (const s of successors) {
        await trx.updateTable('edu_assignments').set({ class_id: s.next }).where('class_id', '=', s.old).where('returned_at', 'is', null).execute();
      }
      const orphaned = await trx
        .selectFrom('edu_assignments as g')
        .innerJoin('edu_assets as a', 'a.id', 'g.asset_id')
        .innerJoin('edu_classes as c', 'c.id', 'g.class_id')
        .select(['g.id', 'g.asset_id', 'a.serial', 'c.name'])
        .where('g.class_id', 'in', oldIds)
        .where('g.returned_at', 'is', null)
        .execute();
      for (const o of orphaned) checklist.push({ rollover_id: rolloverId, item: 'reassign_class_equipment', asset_id: o.asset_id, assignment_id: o.id, pupil_id: null, label: `Réattribuer l’équipement ${o.serial} de l’ancienne classe ${o.name}.` });
    }

    for (let i = 0; i < checklist.length; i += 1000) await trx.insertInto('edu_checklist').values(checklist.slice(i, i + 1000)).execute();
    summary.changed = true;
    await trx.updateTable('edu_rollovers').set({ summary: JSON.stringify(summary) }).where('id', '=', rolloverId).execute();
    await appendAudit(trx, { actor: auditActor(actor), action: 'education.rollover', entityType: 'education_school', entityId: school.id, memberId: school.member_id, summary: { ...summary } });
    return summary;
  }

  /** The checklist of a school's latest rollover (or of the rollover to `toYear`), with what is done. */
  async checklist(actor: Actor, schoolId: string, toYear?: string) {
    await this.access.require(actor, schoolId, 'education_pupil', 'read');
    let query = this.db.selectFrom('edu_rollovers').selectAll().where('school_id', '=', schoolId).orderBy('done_at', 'desc').limit(1);
    if (toYear) query = query.where('to_year', '=', toYear);
    const rollover = await query.executeTakeFirst();
    if (!rollover) return null;
    const rows = await this.db
      .selectFrom('edu_checklist as k')
      .leftJoin('edu_assignments as g', 'g.id', 'k.assignment_id')
      .leftJoin('edu_assets as a', 'a.id', 'k.asset_id')
      .leftJoin('edu_pupils as p', 'p.id', 'k.pupil_id')
      .select(['k.item', 'k.label', 'a.serial', 'g.returned_at', 'g.class_id', 'p.class_id as pupil_class', 'k.pupil_id'])
      .where('k.rollover_id', '=', rollover.id)
      .orderBy('k.item')
      .orderBy('k.label')
      .execute();
    const items: ChecklistEntry[] = rows.map((r) => ({
      item: r.item,
      label: r.label,
      serial: r.serial,
      done:
        r.item === 'tablet_leaves' ||
        (r.item === 'collect_tablet' && r.returned_at !== null) ||
        (r.item === 'place_pupil' && (r.pupil_id === null || r.pupil_class !== null)) ||
        (r.item === 'reassign_class_equipment' && r.returned_at !== null),
    }));
    return { summary: rollover.summary as RolloverSummary, doneAt: rollover.done_at.toISOString(), doneBy: rollover.done_by, items };
  }
}
