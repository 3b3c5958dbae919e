import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '../auth/policy.js';
import type { DomainEvent } from '../bus/event-bus.js';
import { mayReceive } from './stream.routes.js';

const actor = (role: Role, memberId: string, tree: string[]): Actor => ({ userId: 'u', email: 'u@x.fr', role, memberId, memberTree: new Set([memberId, ...tree]) });
const event = (topic: string, memberId: string | null): DomainEvent => ({ id: 'e', seq: 1, topic, at: '2026-11-29T00:00:00Z', memberId, data: {} });

describe('who receives a live event', () => {
  const smoTree = ['dep-92', 'com-92023'];
  it('names the resource by the second segment, alone or after the module', () => {
    expect(mayReceive(actor('member_admin', 'com-92023', []), event('territory.site.created', 'com-92023'))).toBe(true);
    expect(mayReceive(actor('member_admin', 'com-78646', []), event('territory.site.created', 'com-92023'))).toBe(false);
    // purchasing.order.* is the purchasing_order resource: the SMO's buyer sees it, its supervision operator does not.
    expect(mayReceive(actor('smo_agent', 'smo', smoTree), event('purchasing.order.sent', 'com-92023'))).toBe(true);
    expect(mayReceive(actor('operator', 'smo', smoTree), event('purchasing.order.sent', 'com-92023'))).toBe(false);
  });

  it('keeps other events to the member tree, and member-less events for everyone', () => {
    expect(mayReceive(actor('operator', 'smo', smoTree), event('platform.unknown.thing', 'com-92023'))).toBe(true);
    expect(mayReceive(actor('member_agent', 'com-78646', []), event('platform.unknown.thing', 'com-92023'))).toBe(false);
    expect(mayReceive(actor('member_agent', 'com-78646', []), event('purchasing.agreement.created', null))).toBe(true);
  });
});
