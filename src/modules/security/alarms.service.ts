import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import type { Actor } from '../../platform/auth/policy.js';
import { AppError, conflict, forbidden, notFound, validationFailed } from '../../platform/http/errors.js';
import { foldedSql, offsetOf, parseSort, searchPattern, type PageRequest } from '../../platform/http/pagination.js';
import type { SiteScope } from './devices.service.js';
import { typeLabel } from './labels.js';
import { type AlarmState, type Qualification, type SecurityAlarmsTable } from './security.tables.js';

export const STATE_LABELS: Record<AlarmState, string> = {
  new: 'nouvelle',
  taken: 'prise en charge',
  verification: 'en levée de doute',
  qualified: 'qualifiée',
  closed: 'close',
};

/** The transitions: verb → the states it leaves from and the state it reaches. */
export const TRANSITIONS = {
  take: { from: ['new'], to: 'taken', label: 'prendre en charge' },
  verify: { from: ['taken'], to: 'verification', label: 'commencer la levée de doute de' },
  qualify: { from: ['verification'], to: 'qualified', label: 'qualifier' },
  close: { from: ['qualified'], to: 'closed', label: 'clore' },
  reopen: { from: ['qualified', 'closed'], to: 'new', label: 'rouvrir' },
} as const satisfies Record<string, { from: readonly AlarmState[]; to: AlarmState; label: string }>;
export type AlarmVerb = keyof typeof TRANSITIONS;

export interface QualificationInput {
  qualification: Qualification;
  /** false_alarm: what set it off (animal, staff without badge, wind…). */
  cause?: string | undefined;
  /** technical_fault: what the maintenance ticket says. */
  fault?: string | undefined;
  /** police_called. */
  police?: { calledAt: string; reference: string; outcome: string } | undefined;
  notes?: string | undefined;
}

export interface Alarm {
  id: string;
  type: string;
  typeLabel: string;
  title: string;
  priority: number;
  state: AlarmState;
  siteId: string;
  siteName: string;
  memberId: string;
  deviceId: string | null;
  ruleId: string | null;
  eventCount: number;
  firstEventAt: string;
  lastEventAt: string;
  createdAt: string;
  deadlineAt: string;
  escalationLevel: number;
  takenBy: string | null;
  takenByLabel: string | null;
  takenAt: string | null;
  verificationAt: string | null;
  qualifiedAt: string | null;
  qualification: Qualification | null;
  qualificationDetails: Record<string, unknown> | null;
  closedAt: string | null;
  report: string | null;
  reopenCount: number;
}

type AlarmRow = Selectable<SecurityAlarmsTable> & { site_name: string };
const iso = (d: Date | null) => d?.toISOString() ?? null;

const toAlarm = (r: AlarmRow): Alarm => ({
  id: r.id,
  type: r.type,
  typeLabel: typeLabel(r.type),
  title: r.title,
  priority: r.priority,
  state: r.state,
  siteId: r.site_id,
  siteName: r.site_name,
  memberId: r.member_id,
  deviceId: r.device_id,
  ruleId: r.rule_id,
  eventCount: r.event_count,
  firstEventAt: r.first_event_at.toISOString(),
  lastEventAt: r.last_event_at.toISOString(),
  createdAt: r.created_at.toISOString(),
  deadlineAt: r.deadline_at.toISOString(),
  escalationLevel: r.escalation_level,
  takenBy: r.taken_by,
  takenByLabel: r.taken_by_label,
  takenAt: iso(r.taken_at),
  verificationAt: iso(r.verification_at),
  qualifiedAt: iso(r.qualified_at),
  qualification: r.qualification,
  qualificationDetails: (r.qualification_details as Record<string, unknown> | null) ?? null,
  closedAt: iso(r.closed_at),
  report: r.report,
  reopenCount: r.reopen_count,
});

export interface AlarmFilter extends PageRequest {
  q?: string | undefined;
  state?: AlarmState[] | undefined;
  siteId?: string | undefined;
  priority?: number[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export class AlarmsService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  private query() {
    return this.db.selectFrom('security_alarms as a').innerJoin('sites as s', 's.id', 'a.site_id').selectAll('a').select('s.name as site_name');
  }

  /** Lists alarms; the default order is the operator's queue: priority first (1 is the highest), then age. */
  async list(scope: SiteScope, filter: AlarmFilter) {
    let query = this.query();
    if ('siteIds' in scope) query = query.where('a.site_id', 'in', scope.siteIds.length ? scope.siteIds : ['00000000-0000-0000-0000-000000000000']);
    if ('memberIds' in scope) query = query.where('a.member_id', 'in', scope.memberIds.length ? scope.memberIds : ['']);
    if (filter.q) query = query.where(sql<string>`${sql.raw(foldedSql("a.title || ' ' || s.name"))}`, 'like', searchPattern(filter.q));
    if (filter.state?.length) query = query.where('a.state', 'in', filter.state);
    if (filter.siteId) query = query.where('a.site_id', '=', filter.siteId);
    if (filter.priority?.length) query = query.where('a.priority', 'in', filter.priority);
    if (filter.from) query = query.where('a.created_at', '>=', new Date(filter.from));
    if (filter.to) query = query.where('a.created_at', '<', new Date(filter.to));
    const sort = parseSort(filter.sort, 'queue');
    let ordered = query;
    if (sort.field === 'queue') ordered = ordered.orderBy('a.priority', sort.direction).orderBy('a.created_at', sort.direction);
    else {
      const column = { createdAt: 'a.created_at', priority: 'a.priority', lastEventAt: 'a.last_event_at', state: 'a.state' } as const;
      ordered = ordered.orderBy(column[sort.field as keyof typeof column] ?? 'a.created_at', sort.direction);
    }
    const [rows, count] = await Promise.all([
      ordered.orderBy('a.id').limit(filter.pageSize).offset(offsetOf(filter)).execute(),
      query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAlarm), total: Number(count.n), page: filter.page, pageSize: filter.pageSize };
  }

  async get(id: string): Promise<Alarm> {
    const row = await this.query().where('a.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Alarme');
    return toAlarm(row);
  }

  async history(id: string) {
    const rows = await this.db.selectFrom('security_alarm_history').selectAll().where('alarm_id', '=', id).orderBy('id').execute();
    return rows.map((h) => ({ at: h.at.toISOString(), actorLabel: h.actor_label, action: h.action, fromState: h.from_state, toState: h.to_state, details: (h.details ?? {}) as Record<string, unknown> }));
  }

  async events(id: string, limit = 50) {
    const rows = await this.db
      .selectFrom('security_events as e')
      .innerJoin('security_devices as d', 'd.id', 'e.device_id')
      .select(['e.id', 'e.type', 'e.source', 'e.occurred_at', 'e.received_at', 'e.details', 'd.code', 'd.name'])
      .where('e.alarm_id', '=', id)
      .orderBy('e.occurred_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((e) => ({ id: e.id, type: e.type, typeLabel: typeLabel(e.type), source: e.source, occurredAt: e.occurred_at.toISOString(), receivedAt: e.received_at.toISOString(), details: e.details as Record<string, unknown>, deviceCode: e.code, deviceName: e.name }));
  }

  async procedure(type: string) {
    const row = await this.db.selectFrom('security_procedures').selectAll().where('alarm_type', '=', type).executeTakeFirst();
    return row ? { alarmType: row.alarm_type, title: row.title, steps: row.steps } : null;
  }

  /**
   * Moves an alarm along its life: take, verify, qualify, close, reopen. Illegal moves are refused with
   * 409; once taken, only its taker (or a supervisor) moves it on.
   */
  async transition(actor: Actor, verb: AlarmVerb, id: string, input: { qualification?: QualificationInput; report?: string; reason?: string } = {}): Promise<Alarm> {
    const rule = TRANSITIONS[verb];
    const audit: AuditActor = { id: actor.userId, label: actor.email };
    const now = new Date();
    let ticketId: string | null = null;
    const alarm = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('security_alarms').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw notFound('Alarme');
      if (!(rule.from as readonly AlarmState[]).includes(row.state)) {
        if (verb === 'take' && row.taken_by_label) throw conflict(`Alarme déjà prise en charge par ${row.taken_by_label}.`);
        throw conflict(`Impossible de ${rule.label} cette alarme : elle est ${STATE_LABELS[row.state]}.`);
      }
      if ((verb === 'verify' || verb === 'qualify') && row.taken_by !== actor.userId && actor.role !== 'supervisor') {
        throw forbidden(`Cette alarme est prise en charge par ${row.taken_by_label} : seul cet opérateur ou un superviseur peut la faire avancer.`);
      }
      const changes: Partial<Record<keyof SecurityAlarmsTable, unknown>> = { state: rule.to, updated_at: now };
      let details: Record<string, unknown> = {};
      if (verb === 'take') Object.assign(changes, { taken_by: actor.userId, taken_by_label: actor.email, taken_at: now });
      if (verb === 'verify') changes.verification_at = now;
      if (verb === 'qualify') {
        const q = checkQualification(input.qualification);
        details = { qualification: q.qualification, ...q.details };
        if (q.qualification === 'technical_fault') {
          ticketId = randomUUID();
          await trx
            .insertInto('security_tickets')
            .values({ id: ticketId, alarm_id: id, device_id: row.device_id, site_id: row.site_id, description: q.details.fault as string, status: 'open', created_by: actor.email })
            .execute();
          details.ticketId = ticketId;
        }
        Object.assign(changes, { qualified_at: now, qualification: q.qualification, qualification_details: JSON.stringify(details) });
      }
      if (verb === 'close') {
        const report = input.report?.trim() ?? '';
        if (report.length < 10) throw validationFailed([{ field: '/body/report', message: 'rapport obligatoire (10 caractères au moins)' }]);
        Object.assign(changes, { closed_at: now, report });
        details = { report };
      }
      if (verb === 'reopen') {
        const reason = input.reason?.trim() ?? '';
        if (reason.length < 3) throw validationFailed([{ field: '/body/reason', message: 'motif de réouverture obligatoire' }]);
        Object.assign(changes, {
          taken_by: null,
          taken_by_label: null,
          taken_at: null,
          verification_at: null,
          qualified_at: null,
          qualification: null,
          qualification_details: null,
          closed_at: null,
          reopen_count: row.reopen_count + 1,
        });
        details = { reason, previousQualification: row.qualification };
      }
      const updated = await trx
        .updateTable('security_alarms')
        .set(changes as never)
        .where('id', '=', id)
        .where('state', '=', row.state)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw conflict('L’alarme a changé entre-temps : rechargez-la.');
      await trx
        .insertInto('security_alarm_history')
        .values({ alarm_id: id, actor_id: actor.userId, actor_label: actor.email, action: verb, from_state: row.state, to_state: rule.to, details: JSON.stringify(details), at: now })
        .execute();
      await appendAudit(trx, { actor: audit, action: `security.alarm.${verb}`, entityType: 'security_alarm', entityId: id, memberId: row.member_id, summary: { from: row.state, to: rule.to, ...details } });
      return row;
    });
    const after = await this.get(id);
    const verbTopic = { take: 'taken', verify: 'verification', qualify: 'qualified', close: 'closed', reopen: 'reopened' }[verb];
    await this.bus.publish({ topic: `security.security_alarm.${verbTopic}`, memberId: alarm.member_id, data: notice(after, ticketId) });
    return after;
  }

  /**
   * Raises the priority of alarms nobody took before their deadline, and gives them a new deadline of the
   * same length. Called by a timer (and by tests with an explicit time).
   */
  async escalate(now = new Date()): Promise<Alarm[]> {
    const due = await this.db.selectFrom('security_alarms').select(['id', 'member_id', 'priority', 'created_at', 'deadline_at', 'escalation_level']).where('state', '=', 'new').where('deadline_at', '<=', now).execute();
    const out: Alarm[] = [];
    for (const a of due) {
      // Each escalation gives the same delay again: the first deadline's span, spread over the escalations so far.
      const span = Math.max(60_000, (a.deadline_at.getTime() - a.created_at.getTime()) / (a.escalation_level + 1));
      const priority = Math.max(1, a.priority - 1);
      const done = await this.db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('security_alarms')
          .set({ priority, escalation_level: a.escalation_level + 1, deadline_at: new Date(now.getTime() + span), updated_at: now })
          .where('id', '=', a.id)
          .where('state', '=', 'new')
          .where('deadline_at', '=', a.deadline_at)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('security_alarm_history')
          .values({ alarm_id: a.id, actor_id: null, actor_label: 'system', action: 'escalated', from_state: 'new', to_state: 'new', details: JSON.stringify({ from: a.priority, to: priority, level: a.escalation_level + 1 }), at: now })
          .execute();
        return true;
      });
      if (!done) continue;
      const alarm = await this.get(a.id);
      out.push(alarm);
      await this.bus.publish({ topic: 'security.security_alarm.escalated', memberId: a.member_id, data: notice(alarm, null) });
    }
    return out;
  }

  /**
   * Key figures over a period (alarms created in it): time to take and to qualify (p50, p90, in seconds),
   * false-alarm rate per device, site and rule, police calls per month, and the devices' current status.
   */
  async indicators(scope: SiteScope, period: { from?: string | undefined; to?: string | undefined }) {
    const within = (alias: string) => {
      const parts = [sql`true`];
      if ('siteIds' in scope) parts.push(scope.siteIds.length ? sql`${sql.ref(`${alias}.site_id`)} in (${sql.join(scope.siteIds)})` : sql`false`);
      if ('memberIds' in scope) parts.push(scope.memberIds.length ? sql`${sql.ref(`${alias}.member_id`)} in (${sql.join(scope.memberIds)})` : sql`false`);
      return sql.join(parts, sql` and `);
    };
    const period_ = sql.join(
      [sql`true`, ...(period.from ? [sql`a.created_at >= ${new Date(period.from)}`] : []), ...(period.to ? [sql`a.created_at < ${new Date(period.to)}`] : [])],
      sql` and `,
    );
    const where = sql`${within('a')} and ${period_}`;
    const times = await sql<{ take50: number | null; take90: number | null; taken: number; qual50: number | null; qual90: number | null; qualified: number; total: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from a.taken_at - a.created_at)) as take50,
             percentile_cont(0.9) within group (order by extract(epoch from a.taken_at - a.created_at)) as take90,
             count(a.taken_at)::int as taken,
             percentile_cont(0.5) within group (order by extract(epoch from a.qualified_at - a.created_at)) as qual50,
             percentile_cont(0.9) within group (order by extract(epoch from a.qualified_at - a.created_at)) as qual90,
             count(a.qualified_at)::int as qualified,
             count(*)::int as total
      from security_alarms a where ${where}`.execute(this.db);
    const rate = (group: 'device' | 'site' | 'rule') => {
      const [key, label, join] = {
        device: [sql`d.id`, sql`d.name`, sql`join security_devices d on d.id = a.device_id`],
        site: [sql`s.id`, sql`s.name`, sql`join sites s on s.id = a.site_id`],
        rule: [sql`r.id`, sql`r.name`, sql`join security_rules r on r.id = a.rule_id`],
      }[group];
      return sql<{ id: string; name: string; qualified: number; falseAlarms: number }>`
        select ${key} as id, ${label} as name, count(*)::int as qualified, count(*) filter (where a.qualification = 'false_alarm')::int as "falseAlarms"
        from security_alarms a ${join}
        where ${where} and a.qualification is not null
        group by ${key}, ${label} order by 4 desc, 3 desc limit 20`.execute(this.db);
    };
    const [byDevice, bySite, byRule, police, devices] = await Promise.all([
      rate('device'),
      rate('site'),
      rate('rule'),
      sql<{ month: string; calls: number }>`
        select to_char(a.qualified_at at time zone 'Europe/Paris', 'YYYY-MM') as month, count(*)::int as calls
        from security_alarms a where ${where} and a.qualification = 'police_called' group by 1 order by 1`.execute(this.db),
      sql<{ status: string; n: number }>`select d.status, count(*)::int as n from security_devices d where ${within('d')} group by d.status`.execute(this.db),
    ]);
    const t = times.rows[0]!;
    const withRate = (rows: { id: string; name: string; qualified: number; falseAlarms: number }[]) => rows.map((r) => ({ ...r, rate: r.qualified ? r.falseAlarms / r.qualified : 0 }));
    const count = (status: string) => devices.rows.find((d) => d.status === status)?.n ?? 0;
    const totalDevices = devices.rows.reduce((sum, d) => sum + d.n, 0);
    const round = (v: number | null) => (v === null ? null : Math.round(Number(v)));
    return {
      alarms: t.total,
      timeToTake: { p50: round(t.take50), p90: round(t.take90), count: t.taken },
      timeToQualify: { p50: round(t.qual50), p90: round(t.qual90), count: t.qualified },
      falseAlarmRate: { byDevice: withRate(byDevice.rows), bySite: withRate(bySite.rows), byRule: withRate(byRule.rows) },
      policeCallsByMonth: police.rows,
      devices: { total: totalDevices, online: count('online'), offline: count('offline'), tampered: count('tampered'), unknown: count('unknown'), availability: totalDevices ? count('online') / totalDevices : null },
    };
  }

  async openTicketsFor(alarmId: string) {
    return this.db.selectFrom('security_tickets').selectAll().where('alarm_id', '=', alarmId).execute();
  }
}

export function notice(a: Alarm, ticketId: string | null) {
  return { id: a.id, type: a.type, title: a.title, priority: a.priority, state: a.state, siteId: a.siteId, eventCount: a.eventCount, lastEventAt: a.lastEventAt, takenByLabel: a.takenByLabel, ticketId };
}

function checkQualification(q: QualificationInput | undefined): { qualification: Qualification; details: Record<string, unknown> } {
  if (!q) throw validationFailed([{ field: '/body/qualification', message: 'qualification obligatoire' }]);
  const notes = q.notes?.trim() || undefined;
  switch (q.qualification) {
    case 'false_alarm':
      if (!q.cause?.trim()) throw validationFailed([{ field: '/body/cause', message: 'cause de la fausse alarme obligatoire' }]);
      return { qualification: q.qualification, details: { cause: q.cause.trim(), notes } };
    case 'technical_fault':
      if (!q.fault?.trim()) throw validationFailed([{ field: '/body/fault', message: 'description de la panne obligatoire (elle ouvre un ticket de maintenance)' }]);
      return { qualification: q.qualification, details: { fault: q.fault.trim(), notes } };
    case 'handled_on_site':
      return { qualification: q.qualification, details: { notes } };
    case 'police_called': {
      const p = q.police;
      const missing = (['calledAt', 'reference', 'outcome'] as const).filter((f) => !p?.[f]?.trim());
      if (missing.length) throw validationFailed(missing.map((f) => ({ field: `/body/police/${f}`, message: 'obligatoire quand la police est appelée' })));
      if (Number.isNaN(Date.parse(p!.calledAt))) throw validationFailed([{ field: '/body/police/calledAt', message: 'heure d’appel invalide' }]);
      return { qualification: q.qualification, details: { police: { calledAt: new Date(p!.calledAt).toISOString(), reference: p!.reference.trim(), outcome: p!.outcome.trim() }, notes } };
    }
    default:
      throw new AppError(422, 'validation_failed', 'Qualification inconnue.');
  }
}
