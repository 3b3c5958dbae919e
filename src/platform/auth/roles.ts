/** Roles, actions and the shape of grants, shared by the policy and the modules' grant tables. */
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

export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * all: every member's data; tree: the user's member and the members below it (an EPCI's communes,
 * a département's communes); own: the user's member only.
 */
export type Reach = 'all' | 'tree' | 'own';

export type Grants<R extends string> = Partial<Record<R, Partial<Record<Action, Reach>>>>;

/** A module's resources and what each role may do on them; policy.ts merges them into one table. */
export interface ModulePolicy<R extends string> {
  resources: readonly R[];
  grants: Partial<Record<Role, Grants<R>>>;
}

export const READ_ALL = { read: 'all' } as const;
export const CRUD = (reach: Reach) => ({ read: reach, create: reach, update: reach, delete: reach });

export function modulePolicy<const R extends string>(resources: readonly R[], grants: Partial<Record<Role, Grants<NoInfer<R>>>>): ModulePolicy<R> {
  return { resources, grants };
}

/** The same grants for every role, for data every account may see. */
export function everyRole<R extends string>(grants: Grants<R>): Record<Role, Grants<R>> {
  return Object.fromEntries(ROLES.map((role) => [role, grants])) as Record<Role, Grants<R>>;
}
