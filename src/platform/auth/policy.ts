/**
 * The one place that decides who may do what. Routes ask `can` (one resource) or `visibleScope`
 * (lists); nothing else compares roles.
 */
export const ROLES = [
  'smo_admin',
  'smo_agent',
  'member_admin',
  'member_agent',
  'operator',
  'supervisor',
  'police_officer',
  'school_staff',
  'technician',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  smo_admin: 'Administrateur du syndicat',
  smo_agent: 'Agent du syndicat',
  member_admin: 'Administrateur membre',
  member_agent: 'Agent membre',
  operator: 'Opérateur de supervision',
  supervisor: 'Superviseur',
  police_officer: 'Officier de police judiciaire',
  school_staff: 'Personnel scolaire',
  technician: 'Technicien',
  auditor: 'Auditeur',
};

export const RESOURCES = ['member', 'commune', 'site', 'user', 'token', 'audit', 'fibre', 'fibre_import'] as const;
export type Resource = (typeof RESOURCES)[number];

export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * all: every member's data; tree: the user's member and the members below it (an EPCI's communes,
 * a département's communes); own: the user's member only.
 */
export type Reach = 'all' | 'tree' | 'own';

type Grants = Partial<Record<Resource, Partial<Record<Action, Reach>>>>;

const READ_ALL = { read: 'all' } as const;
// Fibre progress is public-interest data (the public reads it as open data): every account may read it.
const REFERENCE: Grants = { member: READ_ALL, commune: READ_ALL, fibre: READ_ALL };
const CRUD = (reach: Reach) => ({ read: reach, create: reach, update: reach, delete: reach });

const GRANTS: Record<Role, Grants> = {
  smo_admin: {
    member: { read: 'all', update: 'all' },
    commune: READ_ALL,
    fibre: READ_ALL,
    fibre_import: { read: 'all', create: 'all' },
    site: CRUD('all'),
    user: CRUD('all'),
    token: CRUD('all'),
    audit: READ_ALL,
  },
  smo_agent: { ...REFERENCE, site: { read: 'all', create: 'all', update: 'all' }, fibre_import: { read: 'all', create: 'all' }, token: CRUD('own') },
  member_admin: { ...REFERENCE, site: CRUD('tree'), user: CRUD('tree'), token: CRUD('own') },
  member_agent: { ...REFERENCE, site: { read: 'tree', create: 'own', update: 'own' }, token: CRUD('own') },
  operator: { ...REFERENCE, site: READ_ALL },
  supervisor: { ...REFERENCE, site: READ_ALL, token: CRUD('own') },
  police_officer: { ...REFERENCE, site: READ_ALL },
  school_staff: { ...REFERENCE, site: { read: 'tree' } },
  technician: { ...REFERENCE, site: READ_ALL },
  auditor: { ...REFERENCE, site: READ_ALL, user: READ_ALL, audit: READ_ALL, fibre_import: READ_ALL },
};

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
