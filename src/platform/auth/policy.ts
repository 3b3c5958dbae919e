/**
 * The one place that decides who may do what. Routes ask `can` (one resource) or `visibleScope`
 * (lists); nothing else compares roles.
 */
import { CRUD, READ_ALL, ROLES, type Action, type Grants, type ModulePolicy, type Reach, type Role } from './roles.js';
import { fibrePolicy } from '../../modules/fibre/fibre.policy.js';
import { chargingPolicy } from '../../modules/charging/charging.policy.js';
import { purchasingPolicy } from '../../modules/purchasing/purchasing.policy.js';
import { educationPolicy } from '../../modules/education/education.policy.js';
import { securityPolicy } from '../../modules/security/security.policy.js';
import { evidencePolicy } from '../../modules/evidence/evidence.policy.js';

export { ACTIONS, ROLES, ROLE_LABELS, type Action, type Reach, type Role } from './roles.js';

const PLATFORM_RESOURCES = ['member', 'commune', 'site', 'user', 'token', 'audit'] as const;

/** Each module's grant table, in src/modules/<module>/<module>.policy.ts. A new module adds itself here. */
const MODULE_POLICIES = [fibrePolicy, chargingPolicy, purchasingPolicy, educationPolicy, securityPolicy, evidencePolicy] as const;

export const RESOURCES = [
  ...PLATFORM_RESOURCES,
  ...fibrePolicy.resources,
  ...chargingPolicy.resources,
  ...purchasingPolicy.resources,
  ...educationPolicy.resources,
  ...securityPolicy.resources,
  ...evidencePolicy.resources,
] as const;
export type Resource = (typeof RESOURCES)[number];

const REFERENCE = { member: READ_ALL, commune: READ_ALL } as const;

const PLATFORM_GRANTS: Record<Role, Grants<(typeof PLATFORM_RESOURCES)[number]>> = {
  smo_admin: {
    member: { read: 'all', update: 'all' },
    commune: READ_ALL,
    site: CRUD('all'),
    user: CRUD('all'),
    token: CRUD('all'),
    audit: READ_ALL,
  },
  smo_agent: { ...REFERENCE, site: { read: 'all', create: 'all', update: 'all' }, token: CRUD('own') },
  member_admin: { ...REFERENCE, site: CRUD('tree'), user: CRUD('tree'), token: CRUD('own') },
  member_agent: { ...REFERENCE, site: { read: 'tree', create: 'own', update: 'own' }, token: CRUD('own') },
  operator: { ...REFERENCE, site: READ_ALL },
  supervisor: { ...REFERENCE, site: READ_ALL, token: CRUD('own') },
  police_officer: { ...REFERENCE, site: READ_ALL },
  school_staff: { ...REFERENCE, site: { read: 'tree' } },
  technician: { ...REFERENCE, site: READ_ALL },
  auditor: { ...REFERENCE, site: READ_ALL, user: READ_ALL, audit: READ_ALL },
};

const GRANTS = Object.fromEntries(
  ROLES.map((role) => [
    role,
    Object.assign({}, PLATFORM_GRANTS[role], ...MODULE_POLICIES.map((policy: ModulePolicy<string>) => policy.grants[role] ?? {})),
  ]),
) as Record<Role, Grants<Resource>>;

/** Roles a member administrator may give; SMO-wide and judicial roles are given by the SMO only. */
const MEMBER_ASSIGNABLE: ReadonlySet<Role> = new Set(['member_admin', 'member_agent', 'school_staff', 'technician']);

export interface Actor {
  userId: string;
  email: string;
  role: Role;
  memberId: string;
  /** The user's member and every member below it. */
  memberTree: ReadonlySet<string>;
}

export function reachOf(role: Role, resource: Resource, action: Action): Reach | undefined {
  return GRANTS[role][resource]?.[action];
}

/** May the actor do `action` on a `resource` owned by `memberId` (null: not owned by a member)? */
export function can(actor: Actor, action: Action, resource: Resource, memberId: string | null): boolean {
  const reach = reachOf(actor.role, resource, action);
  if (reach === undefined) return false;
  if (reach === 'all') return true;
  if (memberId === null) return false;
  return reach === 'own' ? memberId === actor.memberId : actor.memberTree.has(memberId);
}

/** For lists: 'all', the member ids whose items the actor may see, or 'none'. */
export function visibleScope(actor: Actor, resource: Resource, action: Action = 'read'): 'all' | 'none' | string[] {
  const reach = reachOf(actor.role, resource, action);
  if (reach === undefined) return 'none';
  if (reach === 'all') return 'all';
  return reach === 'own' ? [actor.memberId] : [...actor.memberTree];
}

export function canAssignRole(actor: Actor, role: Role): boolean {
  if (actor.role === 'smo_admin') return true;
  return actor.role === 'member_admin' && MEMBER_ASSIGNABLE.has(role);
}
