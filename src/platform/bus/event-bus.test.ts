import { describe, expect, it } from 'vitest';
import { InProcessEventBus, topicMatches, type DomainEvent } from './event-bus.js';

describe('InProcessEventBus', () => {
  it('delivers to exact, prefix and catch-all subscribers, in order, with increasing seq', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('territory.site.created', (e) => void got.push(`exact:${e.seq}`));
    bus.subscribe('territory.*', (e) => void got.push(`prefix:${e.seq}`));
    bus.subscribe('*', (e) => void got.push(`all:${e.seq}`));
    await bus.publish({ topic: 'territory.site.created', memberId: 'com-1', data: {} });
    await bus.publish({ topic: 'charging.session.started', memberId: null, data: {} });
    expect(got).toEqual(['exact:1', 'prefix:1', 'all:1', 'all:2']);
  });

  it('keeps delivering when one subscriber fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const bus = new InProcessEventBus((error) => errors.push(error));
    const seen: DomainEvent[] = [];
    bus.subscribe('*', () => {
      throw new Error('boom');
    });
    bus.subscribe('*', (e) => void seen.push(e));
    const event = await bus.publish({ topic: 'x.y', memberId: null, data: 1 });
    expect(seen).toEqual([event]);
    expect(errors).toHaveLength(1);
  });

  it('gives back the events after a seq for a reconnecting client, up to its memory', async () => {
    const bus = new InProcessEventBus(undefined, 3);
    for (let i = 0; i < 5; i++) await bus.publish({ topic: 't.e', memberId: null, data: i });
    expect(bus.since(3).map((e) => e.data)).toEqual([3, 4]);
    expect(bus.since(0).map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new InProcessEventBus();
    let n = 0;
    const off = bus.subscribe('*', () => void n++);
    await bus.publish({ topic: 'a.b', memberId: null, data: null });
    off();
    await bus.publish({ topic: 'a.b', memberId: null, data: null });
    expect(n).toBe(1);
  });

  it('matches topics by exact name or dotted prefix only', () => {
    expect(topicMatches('territory.*', 'territory.site.created')).toBe(true);
    expect(topicMatches('territory.*', 'territoryx.site')).toBe(false);
    expect(topicMatches('territory.site', 'territory.site.created')).toBe(false);
  });
});
