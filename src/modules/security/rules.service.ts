import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { appendAudit, type AuditActor } from '../../platform/audit/audit.service.js';
import { notFound, validationFailed, type FieldError } from '../../platform/http/errors.js';
import { EVENT_TYPES } from './event-formats.js';
import type { Rule, TimeWindow } from './rule-engine.js';
import type { SecurityRulesTable } from './security.tables.js';

export type RuleInput = Omit<Rule, 'id'>;

const toRule = (r: Selectable<SecurityRulesTable>): Rule => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  eventType: r.event_type,
  otherEventType: r.other_event_type,
  alarmType: r.alarm_type,
  threshold: r.threshold,
  correlationWindowSec: r.correlation_window_sec,
  siteId: r.site_id,
  deviceId: r.device_id,
  windows: r.windows as TimeWindow[],
  priority: r.priority,
  groupWindowSec: r.group_window_sec,
  deadlineSec: r.deadline_sec,
  enabled: r.enabled,
});

const columns = (r: RuleInput) => ({
  name: r.name.trim(),
  kind: r.kind,
  event_type: r.eventType,
  other_event_type: r.kind === 'combination' ? r.otherEventType : null,
  alarm_type: r.alarmType,
  threshold: r.kind === 'burst' ? r.threshold : null,
  correlation_window_sec: r.kind === 'event' ? null : r.correlationWindowSec,
  site_id: r.siteId,
  device_id: r.deviceId,
  windows: [...new Set(r.windows)],
  priority: r.priority,
  group_window_sec: r.groupWindowSec,
  deadline_sec: r.deadlineSec,
  enabled: r.enabled,
});

/** The rules supervisors edit; every change is checked, audited, and given to the running engine. */
export class RulesService {
  constructor(
    private readonly db: Db,
    private readonly onChange: (rules: Rule[]) => void,
  ) {}

  async list(): Promise<Rule[]> {
    const rows = await this.db.selectFrom('security_rules').selectAll().orderBy('priority').orderBy('name').execute();
    return rows.map(toRule);
  }

  async get(id: string): Promise<Rule> {
    const row = await this.db.selectFrom('security_rules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Règle');
    return toRule(row);
  }

  /** Gives the engine the current rules (at start and after every change). */
  async reload(): Promise<void> {
    this.onChange(await this.list());
  }

  private async check(r: RuleInput): Promise<RuleInput> {
    const details: FieldError[] = [];
    const known = (t: string | null) => t !== null && (EVENT_TYPES as readonly string[]).includes(t);
    if (!known(r.eventType)) details.push({ field: '/body/eventType', message: `type d’événement inconnu (${EVENT_TYPES.join(', ')})` });
    const alarmType = r.kind === 'event' ? r.alarmType || r.eventType : r.alarmType;
    if (!alarmType || !/^[a-z][a-z0-9_]{1,49}$/.test(alarmType)) details.push({ field: '/body/alarmType', message: 'type d’alarme obligatoire (minuscules et _)' });
    if (r.kind === 'burst') {
      if (!r.threshold || r.threshold < 2) details.push({ field: '/body/threshold', message: 'un seuil de 2 événements au moins' });
      if (!r.correlationWindowSec) details.push({ field: '/body/correlationWindowSec', message: 'fenêtre de corrélation obligatoire' });
    }
    if (r.kind === 'combination') {
      if (!known(r.otherEventType)) details.push({ field: '/body/otherEventType', message: 'second type d’événement obligatoire' });
      else if (r.otherEventType === r.eventType) details.push({ field: '/body/otherEventType', message: 'doit différer du premier type' });
      if (!r.correlationWindowSec) details.push({ field: '/body/correlationWindowSec', message: 'fenêtre de corrélation obligatoire' });
    }
    if (r.siteId && !(await this.db.selectFrom('sites').select('id').where('id', '=', r.siteId).executeTakeFirst())) details.push({ field: '/body/siteId', message: 'site inconnu' });
    if (r.deviceId) {
      const device = await this.db.selectFrom('security_devices').select('site_id').where('id', '=', r.deviceId).executeTakeFirst();
      if (!device) details.push({ field: '/body/deviceId', message: 'équipement inconnu' });
      else if (r.siteId && device.site_id !== r.siteId) details.push({ field: '/body/deviceId', message: 'cet équipement est sur un autre site' });
    }
    if (details.length) throw validationFailed(details);
    return { ...r, alarmType };
  }

  async create(actor: AuditActor, input: RuleInput): Promise<Rule> {
    const rule = await this.check(input);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('security_rules').values({ id, ...columns(rule) }).execute();
      await appendAudit(trx, { actor, action: 'security.rule.create', entityType: 'security_rule', entityId: id, summary: { after: rule } });
    });
    await this.reload();
    return this.get(id);
  }

  async update(actor: AuditActor, id: string, changes: Partial<RuleInput>): Promise<Rule> {
    const { id: _, ...current } = await this.get(id);
    const rule = await this.check({ ...current, ...changes });
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('security_rules').set({ ...columns(rule), updated_at: new Date() }).where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'security.rule.update', entityType: 'security_rule', entityId: id, summary: { before: current, after: rule } });
    });
    await this.reload();
    return this.get(id);
  }

  async delete(actor: AuditActor, id: string): Promise<void> {
    const { id: _, ...current } = await this.get(id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('security_rules').where('id', '=', id).execute();
      await appendAudit(trx, { actor, action: 'security.rule.delete', entityType: 'security_rule', entityId: id, summary: { before: current } });
    });
    await this.reload();
  }
}
