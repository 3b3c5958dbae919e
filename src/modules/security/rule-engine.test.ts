import { describe, expect, it } from 'vitest';
import { publicHolidays, RuleEngine, windowsAt, type EngineEvent, type OpenAlarm, type Rule } from './rule-engine.js';

const rule = (over: Partial<Rule>): Rule => ({
  id: over.id ?? 'r',
  name: 'r',
  kind: 'event',
  eventType: 'motion',
  otherEventType: null,
  alarmType: over.eventType ?? 'motion',
  threshold: null,
  correlationWindowSec: null,
  siteId: null,
  deviceId: null,
  windows: [],
  priority: 3,
  groupWindowSec: 300,
  deadlineSec: 120,
  enabled: true,
  ...over,
});

let n = 0;
// 2026-12-01 is a Tuesday; 10:00 UTC is 11:00 in Paris (school hours).
const at = (iso: string) => new Date(iso);
const ev = (type: string, time: string, over: Partial<EngineEvent> = {}): EngineEvent => ({
  id: `e${++n}`,
  type,
  deviceId: 'cam-1',
  siteId: 'site-1',
  doorId: null,
  zone: null,
  occurredAt: at(time),
  ...over,
});

describe('time windows (Paris time)', () => {
  it('places instants in school hours, nights, weekends and holidays', () => {
    expect([...windowsAt(at('2026-12-01T10:00:00Z'))]).toEqual(['school_hours']);
    expect([...windowsAt(at('2026-12-01T22:30:00Z'))]).toEqual(['night']);
    // 06:30 UTC in winter is 07:30 in Paris: neither night nor school hours.
    expect([...windowsAt(at('2026-12-01T06:30:00Z'))]).toEqual([]);
    expect([...windowsAt(at('2026-12-05T12:00:00Z'))].sort()).toEqual(['weekend']);
    // Summer time: 17:30 UTC is 19:30 in Paris, after school.
    expect(windowsAt(at('2026-06-02T15:30:00Z')).has('school_hours')).toBe(true);
    expect(windowsAt(at('2026-06-02T16:30:00Z')).has('school_hours')).toBe(false);
    // Christmas is a holiday, not school hours, even on a Friday.
    expect([...windowsAt(at('2026-12-25T10:00:00Z'))]).toEqual(['holiday']);
  });

  it('computes the holidays that follow Easter', () => {
    // Easter 2027 is March 28: Easter Monday March 29, Ascension May 6, Whit Monday May 17.
    const h = publicHolidays(2027);
    expect(['2027-03-29', '2027-05-06', '2027-05-17', '2027-07-14'].every((d) => h.has(d))).toBe(true);
    expect(h.size).toBe(11);
  });
});

describe('rule engine', () => {
  it('picks the most specific rule, then the highest priority, within its time window', () => {
    const engine = new RuleEngine([
      rule({ id: 'global', priority: 4 }),
      rule({ id: 'night', priority: 2, windows: ['night', 'weekend'] }),
      rule({ id: 'site', priority: 3, siteId: 'site-2' }),
      rule({ id: 'device', priority: 5, deviceId: 'cam-9' }),
      rule({ id: 'off', priority: 1, enabled: false }),
    ]);
    const open = new Map<string, OpenAlarm>();
    const d1 = engine.evaluate(ev('motion', '2026-12-01T10:00:00Z'), open);
    expect(d1).toMatchObject({ kind: 'created', alarm: { ruleId: 'global', priority: 4 } });
    const d2 = engine.evaluate(ev('motion', '2026-12-01T23:00:00Z', { deviceId: 'cam-2' }), open);
    expect(d2).toMatchObject({ kind: 'created', alarm: { ruleId: 'night', priority: 2 } });
    const d3 = engine.evaluate(ev('motion', '2026-12-01T23:00:00Z', { deviceId: 'cam-3', siteId: 'site-2' }), open);
    expect(d3).toMatchObject({ alarm: { ruleId: 'site' } });
    const d4 = engine.evaluate(ev('motion', '2026-12-01T23:00:00Z', { deviceId: 'cam-9', siteId: 'site-2' }), open);
    expect(d4).toMatchObject({ alarm: { ruleId: 'device', priority: 5 } });
    expect(engine.evaluate(ev('tamper', '2026-12-01T10:00:00Z'), open)).toEqual({ kind: 'none' });
  });

  it('groups repeats of one device and type within the window into one alarm with a count', () => {
    const engine = new RuleEngine([rule({ eventType: 'door_held_open', alarmType: 'door_held_open', groupWindowSec: 120 })]);
    const open = new Map<string, OpenAlarm>();
    const first = engine.evaluate(ev('door_held_open', '2026-12-01T10:00:00Z'), open);
    expect(first.kind).toBe('created');
    const id = first.kind === 'created' ? first.alarm.id : '';
    for (const s of ['10:01:00', '10:02:30', '10:04:00']) {
      expect(engine.evaluate(ev('door_held_open', `2026-12-01T${s}Z`), open)).toMatchObject({ kind: 'grouped', alarm: { id } });
    }
    expect(open.get(RuleEngine.eventKey('door_held_open', 'cam-1'))).toMatchObject({ eventCount: 4, lastEventAt: at('2026-12-01T10:04:00Z') });
    // More than two minutes of silence: a new alarm.
    const later = engine.evaluate(ev('door_held_open', '2026-12-01T10:06:01Z'), open);
    expect(later.kind).toBe('created');
    // Another device: its own alarm.
    expect(engine.evaluate(ev('door_held_open', '2026-12-01T10:06:02Z', { deviceId: 'cam-2' }), open).kind).toBe('created');
  });

  it('raises one alarm for three access denials at one door within two minutes, not for two', () => {
    const engine = new RuleEngine([rule({ id: 'burst', kind: 'burst', eventType: 'access_denied', alarmType: 'access_denied_burst', threshold: 3, correlationWindowSec: 120, priority: 2, groupWindowSec: 300 })]);
    const open = new Map<string, OpenAlarm>();
    const door = { doorId: 'door-1', deviceId: 'reader-1' };
    expect(engine.evaluate(ev('access_denied', '2026-12-01T10:00:00Z', door), open).kind).toBe('none');
    expect(engine.evaluate(ev('access_denied', '2026-12-01T10:01:30Z', door), open).kind).toBe('none');
    // Same door through its second reader: still the same door.
    const third = engine.evaluate(ev('access_denied', '2026-12-01T10:01:59Z', { doorId: 'door-1', deviceId: 'reader-2' }), open);
    expect(third).toMatchObject({ kind: 'created', alarm: { type: 'access_denied_burst', priority: 2, eventCount: 3, deviceId: 'door-1', firstEventAt: at('2026-12-01T10:00:00Z') } });
    expect(engine.evaluate(ev('access_denied', '2026-12-01T10:03:00Z', door), open)).toMatchObject({ kind: 'grouped', alarm: { eventCount: 4 } });

    // Elsewhere, three denials spread over more than two minutes raise nothing.
    const other = { doorId: 'door-2', deviceId: 'reader-3' };
    for (const s of ['10:00:00', '10:01:10', '10:02:20', '10:03:30']) expect(engine.evaluate(ev('access_denied', `2026-12-01T${s}Z`, other), open).kind).toBe('none');
  });

  it('turns a forced door and motion in its zone into one intrusion alarm, whichever comes first', () => {
    const rules = [
      rule({ id: 'forced', eventType: 'door_forced_open', alarmType: 'door_forced_open', priority: 2 }),
      rule({ id: 'motion', eventType: 'motion', alarmType: 'motion', priority: 4 }),
      rule({ id: 'pair', kind: 'combination', eventType: 'door_forced_open', otherEventType: 'motion', alarmType: 'intrusion', correlationWindowSec: 60, priority: 1 }),
    ];
    const engine = new RuleEngine(rules);
    const open = new Map<string, OpenAlarm>();
    const forced = engine.evaluate(ev('door_forced_open', '2026-12-01T22:00:00Z', { deviceId: 'door-1', doorId: 'door-1', zone: 'entrance' }), open);
    expect(forced).toMatchObject({ kind: 'created', alarm: { type: 'door_forced_open' } });
    const motion = engine.evaluate(ev('motion', '2026-12-01T22:00:40Z', { deviceId: 'cam-1', zone: 'entrance' }), open);
    expect(motion).toMatchObject({ kind: 'correlated', alarm: { id: forced.kind === 'created' ? forced.alarm.id : '', type: 'intrusion', priority: 1, eventCount: 2 } });
    expect(open.size).toBe(1);
    // More motion there: into the intrusion alarm.
    expect(engine.evaluate(ev('motion', '2026-12-01T22:01:00Z', { deviceId: 'cam-2', zone: 'entrance' }), open)).toMatchObject({ kind: 'grouped', alarm: { type: 'intrusion', eventCount: 3 } });

    // Motion first, then the forced door, in another zone.
    const m = engine.evaluate(ev('motion', '2026-12-01T23:00:00Z', { deviceId: 'cam-3', zone: 'perimeter' }), open);
    expect(m).toMatchObject({ kind: 'created', alarm: { type: 'motion' } });
    expect(engine.evaluate(ev('door_forced_open', '2026-12-01T23:00:30Z', { deviceId: 'door-2', doorId: 'door-2', zone: 'perimeter' }), open)).toMatchObject({ kind: 'correlated', alarm: { type: 'intrusion' } });

    // Too far apart, or in another zone: two separate alarms.
    const a = engine.evaluate(ev('door_forced_open', '2026-12-02T01:00:00Z', { deviceId: 'door-3', doorId: 'door-3', zone: 'hall' }), open);
    const b = engine.evaluate(ev('motion', '2026-12-02T01:02:00Z', { deviceId: 'cam-4', zone: 'hall' }), open);
    const c = engine.evaluate(ev('motion', '2026-12-02T01:00:10Z', { deviceId: 'cam-5', zone: 'office' }), open);
    expect([a.kind, b.kind, c.kind]).toEqual(['created', 'created', 'created']);
  });

  it('lists the keys of the alarms an event may join', () => {
    const engine = new RuleEngine([rule({ id: 'pair', kind: 'combination', eventType: 'door_forced_open', otherEventType: 'motion', alarmType: 'intrusion', correlationWindowSec: 60 }), rule({ id: 'm' })]);
    engine.evaluate(ev('door_forced_open', '2026-12-01T22:00:00Z', { deviceId: 'door-1', zone: 'entrance' }), new Map());
    expect(engine.candidateKeys(ev('motion', '2026-12-01T22:00:10Z', { zone: 'entrance' })).sort()).toEqual(['dev:cam-1:motion', 'pair:pair:site-1:entrance']);
  });
});
