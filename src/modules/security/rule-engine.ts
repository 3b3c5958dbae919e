/**
 * Turns events into alarms: which rule applies (priority by site, device, event type and time window),
 * repeats grouped into one alarm with a count, and correlations (a burst of the same event at one door,
 * two event types in the same zone). Pure: the caller gives the open alarms it knows of and stores
 * what the engine decided; times come from the events, never from the clock.
 */
import { randomUUID } from 'node:crypto';

export const TIME_WINDOWS = ['school_hours', 'night', 'weekend', 'holiday'] as const;
export type TimeWindow = (typeof TIME_WINDOWS)[number];

export interface Rule {
  id: string;
  name: string;
  /** event: one event type makes an alarm; burst: `threshold` events of one type at one door (or device) within the correlation window; combination: `eventType` and `otherEventType` in the same site zone within the window. */
  kind: 'event' | 'burst' | 'combination';
  eventType: string;
  otherEventType: string | null;
  alarmType: string;
  threshold: number | null;
  correlationWindowSec: number | null;
  siteId: string | null;
  deviceId: string | null;
  /** Empty: at any time; otherwise the event must fall in one of them (Paris time). */
  windows: TimeWindow[];
  priority: number;
  groupWindowSec: number;
  deadlineSec: number;
  enabled: boolean;
}

export interface EngineEvent {
  id: string;
  type: string;
  deviceId: string;
  siteId: string;
  /** The door the event happened at: the door itself, or the door of the reader or sensor. */
  doorId: string | null;
  zone: string | null;
  occurredAt: Date;
}

/** An alarm still gathering events (new, taken or in verification). */
export interface OpenAlarm {
  id: string;
  groupKey: string;
  type: string;
  priority: number;
  ruleId: string | null;
  siteId: string;
  deviceId: string | null;
  eventCount: number;
  firstEventAt: Date;
  lastEventAt: Date;
  deadlineSec: number;
  /** Set when the engine created it during this batch (the caller inserts it). */
  created?: boolean;
  /** Set when the engine changed it (the caller updates it). */
  changed?: boolean;
}

export type Decision =
  | { kind: 'none' }
  | { kind: 'created'; alarm: OpenAlarm }
  | { kind: 'grouped'; alarm: OpenAlarm }
  | { kind: 'correlated'; alarm: OpenAlarm };

/** French public holidays of a year (fixed dates and those that follow Easter). */
export function publicHolidays(year: number): Set<string> {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  const easter = Date.UTC(year, month - 1, day);
  const plus = (days: number) => new Date(easter + days * 86_400_000).toISOString().slice(0, 10);
  const fixed = ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`);
  return new Set([...fixed, plus(1), plus(39), plus(50)]);
}

const PARIS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
const holidayCache = new Map<number, Set<string>>();

/** The time windows an instant falls in, in Paris time. School hours: Monday to Friday, 08:00–18:00, except public holidays. */
export function windowsAt(at: Date): Set<TimeWindow> {
  const parts = Object.fromEntries(PARIS.formatToParts(at).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  if (!holidayCache.has(year)) holidayCache.set(year, publicHolidays(year));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  const weekend = parts.weekday === 'Sat' || parts.weekday === 'Sun';
  const holiday = holidayCache.get(year)!.has(date);
  const out = new Set<TimeWindow>();
  if (weekend) out.add('weekend');
  if (holiday) out.add('holiday');
  if (minutes >= 20 * 60 || minutes < 7 * 60) out.add('night');
  if (!weekend && !holiday && minutes >= 8 * 60 && minutes < 18 * 60) out.add('school_hours');
  return out;
}

const specificity = (r: Rule) => (r.deviceId ? 3 : r.siteId ? 2 : 1);

export class RuleEngine {
  private rules: Rule[] = [];
  /** burst rule + place → times of the recent events, oldest first. */
  private readonly bursts = new Map<string, number[]>();
  /** combination rule + site + zone → the last event of each of the two types, and the alarm it went to. */
  private readonly pairs = new Map<string, Map<string, { at: number; groupKey: string | null }>>();

  constructor(rules: Rule[] = []) {
    this.setRules(rules);
  }

  setRules(rules: Rule[]): void {
    this.rules = rules.filter((r) => r.enabled);
  }

  private applies(rule: Rule, event: EngineEvent, windows: Set<TimeWindow>): boolean {
    if (rule.siteId && rule.siteId !== event.siteId) return false;
    if (rule.deviceId && rule.deviceId !== event.deviceId && rule.deviceId !== event.doorId) return false;
    return rule.windows.length === 0 || rule.windows.some((w) => windows.has(w));
  }

  /** The most specific applicable rule (device, then site, then everywhere); the highest priority among equals. */
  private best(candidates: Rule[]): Rule | undefined {
    return [...candidates].sort((a, b) => specificity(b) - specificity(a) || a.priority - b.priority)[0];
  }

  static eventKey = (alarmType: string, deviceId: string) => `dev:${deviceId}:${alarmType}`;
  static burstKey = (rule: Rule, place: string) => `burst:${rule.id}:${place}`;
  static pairKey = (rule: Rule, siteId: string, zone: string) => `pair:${rule.id}:${siteId}:${zone}`;

  /** The group keys whose open alarm the caller must look up before evaluating this event. */
  candidateKeys(event: EngineEvent): string[] {
    const keys = new Set<string>();
    for (const rule of this.rules) {
      if (rule.kind === 'event' && rule.eventType === event.type) keys.add(RuleEngine.eventKey(rule.alarmType, event.deviceId));
      if (rule.kind === 'burst' && rule.eventType === event.type) keys.add(RuleEngine.burstKey(rule, event.doorId ?? event.deviceId));
      if (rule.kind === 'combination' && event.zone && (rule.eventType === event.type || rule.otherEventType === event.type)) {
        keys.add(RuleEngine.pairKey(rule, event.siteId, event.zone));
        for (const seen of this.pairs.get(RuleEngine.pairKey(rule, event.siteId, event.zone))?.values() ?? []) if (seen.groupKey) keys.add(seen.groupKey);
      }
    }
    return [...keys];
  }

  /**
   * Decides what one event does, given the open alarms by group key (updated in place: new alarms are
   * added with `created`, changed ones get `changed`). Events must come in time order per device.
   */
  evaluate(event: EngineEvent, open: Map<string, OpenAlarm>): Decision {
    const windows = windowsAt(event.occurredAt);
    const at = event.occurredAt.getTime();
    const applicable = this.rules.filter((r) => (r.eventType === event.type || (r.kind === 'combination' && r.otherEventType === event.type)) && this.applies(r, event, windows));

    const join = (alarm: OpenAlarm, kind: 'grouped' | 'correlated'): Decision => {
      alarm.eventCount += 1;
      if (at > alarm.lastEventAt.getTime()) alarm.lastEventAt = event.occurredAt;
      alarm.changed = true;
      return { kind, alarm };
    };
    const create = (rule: Rule, groupKey: string, count = 1, firstAt = event.occurredAt): Decision => {
      const alarm: OpenAlarm = {
        id: randomUUID(),
        groupKey,
        type: rule.alarmType,
        priority: rule.priority,
        ruleId: rule.id,
        siteId: event.siteId,
        deviceId: event.doorId ?? event.deviceId,
        eventCount: count,
        firstEventAt: firstAt,
        lastEventAt: event.occurredAt,
        deadlineSec: rule.deadlineSec,
        created: true,
      };
      open.set(groupKey, alarm);
      return { kind: 'created', alarm };
    };
    const recent = (alarm: OpenAlarm | undefined, rule: Rule) => alarm && at - alarm.lastEventAt.getTime() <= rule.groupWindowSec * 1000;

    // Correlations first: a combination or a burst outranks the single event.
    let decision: Decision | undefined;
    const pairRules = event.zone ? applicable.filter((r) => r.kind === 'combination') : [];
    for (const rule of pairRules) {
      const key = RuleEngine.pairKey(rule, event.siteId, event.zone!);
      const existing = open.get(key);
      if (recent(existing, rule)) {
        decision = join(existing!, 'grouped');
        break;
      }
      const other = rule.eventType === event.type ? rule.otherEventType! : rule.eventType;
      const partner = this.pairs.get(key)?.get(other);
      if (partner && Math.abs(at - partner.at) <= (rule.correlationWindowSec ?? 0) * 1000) {
        const target = partner.groupKey ? open.get(partner.groupKey) : undefined;
        if (target) {
          // The partner's alarm becomes the combined alarm: one alarm for the intrusion, not two.
          open.delete(target.groupKey);
          target.groupKey = key;
          target.type = rule.alarmType;
          target.priority = Math.min(target.priority, rule.priority);
          target.ruleId = rule.id;
          target.deadlineSec = Math.min(target.deadlineSec, rule.deadlineSec);
          open.set(key, target);
          decision = join(target, 'correlated');
        } else {
          decision = create(rule, key, 2, new Date(Math.min(at, partner.at)));
        }
        break;
      }
    }

    if (!decision) {
      for (const rule of applicable.filter((r) => r.kind === 'burst')) {
        const place = event.doorId ?? event.deviceId;
        const key = RuleEngine.burstKey(rule, place);
        const memoryKey = `${rule.id}|${place}`;
        const windowMs = (rule.correlationWindowSec ?? 0) * 1000;
        const times = (this.bursts.get(memoryKey) ?? []).filter((t) => at - t <= windowMs);
        times.push(at);
        const threshold = rule.threshold ?? 1;
        this.bursts.set(memoryKey, times.slice(-threshold));
        const existing = open.get(key);
        if (recent(existing, rule)) {
          decision = join(existing!, 'grouped');
          break;
        }
        if (times.length >= threshold) {
          decision = create(rule, key, threshold, new Date(times[times.length - threshold]!));
          break;
        }
      }
    }

    if (!decision) {
      const rule = this.best(applicable.filter((r) => r.kind === 'event'));
      if (rule) {
        const key = RuleEngine.eventKey(rule.alarmType, event.deviceId);
        const existing = open.get(key);
        decision = recent(existing, rule) ? join(existing!, 'grouped') : create(rule, key);
      }
    }

    // Remember this event for the combinations it may later complete.
    for (const rule of this.rules) {
      if (rule.kind !== 'combination' || !event.zone || (rule.eventType !== event.type && rule.otherEventType !== event.type)) continue;
      const key = RuleEngine.pairKey(rule, event.siteId, event.zone);
      if (!this.pairs.has(key)) this.pairs.set(key, new Map());
      this.pairs.get(key)!.set(event.type, { at, groupKey: decision && decision.kind !== 'none' ? decision.alarm.groupKey : null });
    }
    return decision ?? { kind: 'none' };
  }
}
