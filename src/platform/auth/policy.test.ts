import { describe, expect, it } from 'vitest';
import { canAssignRole, RESOURCES, visibleScope } from './policy.js';
import { checkMatrix, matrixActor as actorOf, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';

const PLATFORM_RESOURCES = ['member', 'commune', 'site', 'user', 'token', 'audit'] as const;

/** The platform's part of the matrix; each module tests its own part next to its policy. */
const EXPECTED: ExpectedMatrix<(typeof PLATFORM_RESOURCES)[number]> = {
  smo_admin: {
    member: { own: 'ru', child: 'ru', other: 'ru' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcud', child: 'rcud', other: 'rcud' },
    user: { own: 'rcud', child: 'rcud', other: 'rcud' },
    token: { own: 'rcud', child: 'rcud', other: 'rcud' },
    audit: { own: 'r', child: 'r', other: 'r' },
  },
  smo_agent: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcu', child: 'rcu', other: 'rcu' },
    token: { own: 'rcud', child: '', other: '' },
  },
  member_admin: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcud', child: 'rcud', other: '' },
    user: { own: 'rcud', child: 'rcud', other: '' },
    token: { own: 'rcud', child: '', other: '' },
  },
  member_agent: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'rcu', child: 'r', other: '' },
    token: { own: 'rcud', child: '', other: '' },
  },
  operator: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' } },
  supervisor: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'r', child: 'r', other: 'r' },
    token: { own: 'rcud', child: '', other: '' },
  },
  police_officer: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' } },
  school_staff: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: '' } },
  technician: { member: { own: 'r', child: 'r', other: 'r' }, commune: { own: 'r', child: 'r', other: 'r' }, site: { own: 'r', child: 'r', other: 'r' } },
  auditor: {
    member: { own: 'r', child: 'r', other: 'r' },
    commune: { own: 'r', child: 'r', other: 'r' },
    site: { own: 'r', child: 'r', other: 'r' },
    user: { own: 'r', child: 'r', other: 'r' },
    audit: { own: 'r', child: 'r', other: 'r' },
  },
};

describe('authorisation matrix', () => {
  checkMatrix(PLATFORM_RESOURCES, EXPECTED);

  it('knows every resource, platform and modules', () => {
    expect(RESOURCES).toEqual(expect.arrayContaining([...PLATFORM_RESOURCES, 'fibre', 'fibre_import']));
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
