import { expect, it } from 'vitest';
import { ACTIONS, can, ROLES, type Action, type Actor, type Resource, type Role } from '../../src/platform/auth/policy.js';

/**
 * A hand-written authorisation matrix: role × whose data (the actor's own member, a member below it,
 * another member) × resource × action, with letters r read, c create, u update, d delete. A role
 * missing from a resource may do nothing on it. A change of policy must change the matrix too.
 */
export type ExpectedMatrix<R extends Resource> = Partial<Record<Role, Partial<Record<R, { own: string; child: string; other: string }>>>>;

const LETTER: Record<Action, string> = { read: 'r', create: 'c', update: 'u', delete: 'd' };
export const matrixActor = (role: Role): Actor => ({ userId: 'u1', email: 'x@y.fr', role, memberId: 'epci-1', memberTree: new Set(['epci-1', 'com-1']) });
const TARGET = { own: 'epci-1', child: 'com-1', other: 'com-2' } as const;

/** Declares one test per role × resource × whose × action, comparing `can` with the matrix. */
export function checkMatrix<R extends Resource>(resources: readonly R[], expected: ExpectedMatrix<R>): void {
  const cases = ROLES.flatMap((role) =>
    resources.flatMap((resource) => (['own', 'child', 'other'] as const).flatMap((whose) => ACTIONS.map((action) => ({ role, resource, whose, action })))),
  );
  it.each(cases)('$role $action $resource of $whose member', ({ role, resource, whose, action }) => {
    const allowed = (expected[role]?.[resource]?.[whose] ?? '').includes(LETTER[action]);
    expect(can(matrixActor(role), action, resource, TARGET[whose])).toBe(allowed);
  });
}
