import { describe, expect, it } from 'vitest';
import { ACTIONS, can, canAssignRole, RESOURCES, ROLES, visibleScope, type Action, type Actor, type Resource, type Role } from './policy.js';

/**
 * The authorisation matrix, written out by hand: role × whose data (own member, a member below it,
 * another member) × resource × action. Letters: r read, c create, u update, d delete.
 * A change of policy must change this table too.
 */
const EXPECTED: Record<Role, Partial<Record<Resource, { own: string; child: string; other: string }>>> = {
  smo_admin: {
    member: { own: 'ru', child: 'ru', other: 'ru' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcud', child: 'rcud', other: 'rcud' },
    user: { own: 'rcud', child: 'rcud', other: 'rcud' },
    token: { own: 'rcud', child: 'rcud', other: 'rcud' },
    audit: { own: 'r', child: 'r', other: 'r' },
    fibre: { own: 'r', child: 'r', other: 'r' },
    fibre_import: { own: 'rc', child: 'rc', other: 'rc' },
  },
  smo_agent: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcu', child: 'rcu', other: 'rcu' },
    token: { own: 'rcud', child: '', other: '' },
    fibre: { own: 'r', child: 'r', other: 'r' },
    fibre_import: { own: 'rc', child: 'rc', other: 'rc' },
  },
  member_admin: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcud', child: 'rcud', other: '' },
    user: { own: 'rcud', child: 'rcud', other: '' },
    token: { own: 'rcud', child: '', other: '' },
    fibre: { own: 'r', child: 'r', other: 'r' },
  },
  member_agent: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcu', child: 'r', other: '' },
    token: { own: 'rcud', child: '', other: '' },
    fibre: { own: 'r', child: 'r', other: 'r' },
  },
  operator: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' }, fibre: { own: 'r', child: 'r', other: 'r' } },
  supervisor: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'r', child: 'r', other: 'r' },
    token: { own: 'rcud', child: '', other: '' },
    fibre: { own: 'r', child: 'r', other: 'r' },
  },
  police_officer: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' }, fibre: { own: 'r', child: 'r', other: 'r' } },
  school_staff: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: '' }, fibre: { own: 'r', child: 'r', other: 'r' } },
  technician: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' }, fibre: { own: 'r', child: 'r', other: 'r' } },
  auditor: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'r', child: 'r', other: 'r' },
    user: { own: 'r', child: 'r', other: 'r' },
    audit: { own: 'r', child: 'r', other: 'r' },
    fibre: { own: 'r', child: 'r', other: 'r' },
    fibre_import: { own: 'r', child: 'r', other: 'r' },
  },
};

const LETTER: Record<Action, string> = { read: 'r', create: 'c', update: 'u', delete: 'd' };
const actorOf = (role: Role): Actor => ({ userId: 'u1', email: 'x@y.fr', role, memberId: 'epci-1', memberTree: new Set(['epci-1', 'com-1']) });
const TARGET = { own: 'epci-1', child: 'com-1', other: 'com-2' } as const;

describe('authorisation matrix', () => {
  const cases = ROLES.flatMap((role) =>
    RESOURCES.flatMap((resource) =>
      (['own', 'child', 'other'] as const).flatMap((whose) => ACTIONS.map((action) => ({ role, resource, whose, action }))),
    ),
  );

  it.each(cases)('$role $action $resource of $whose member', ({ role, resource, whose, action }) => {
    const allowed = (EXPECTED[role][resource]?.[whose] ?? '').includes(LETTER[action]);
    expect(can(actorOf(role), action, resource, TARGET[whose])).toBe(allowed);
  });

  it('gives lists the same scope as single reads', () => {
    expect(visibleScope(actorOf('member_admin'), 'site')).toEqual(['epci-1', 'com-1']);
    expect(visibleScope(actorOf('member_agent'), 'site', 'update')).toEqual(['epci-1']);
    expect(visibleScope(actorOf('operator'), 'site')).toBe('all');
    expect(visibleScope(actorOf('operator'), 'user')).toBe('none');
  });

  it('lets member administrators give member roles only', () => {
    expect(canAssignRole(actorOf('member_admin'), 'member_agent')).toBe(true);
    expect(canAssignRole(actorOf('member_admin'), 'smo_admin')).toBe(false);
    expect(canAssignRole(actorOf('member_admin'), 'police_officer')).toBe(false);
    expect(canAssignRole(actorOf('smo_admin'), 'auditor')).toBe(true);
    expect(canAssignRole(actorOf('member_agent'), 'member_agent')).toBe(false);
  });
});
