import { CRUD, modulePolicy, READ_ALL } from '../../platform/auth/roles.js';

const RESOURCES = ['education_school', 'education_pupil', 'education_asset', 'education_repair', 'education_licence', 'education_programme'] as const;
const READ_TREE = { read: 'tree' } as const;

/**
 * school_staff get their member's tree here; the education service narrows it to the schools each
 * account is assigned to. Auditors read everything but the pupils' personal data.
 */
export const educationPolicy = modulePolicy(RESOURCES, {
  smo_admin: Object.fromEntries(RESOURCES.map((r) => [r, CRUD('all')])),
  smo_agent: { education_school: READ_ALL, education_asset: READ_ALL, education_licence: READ_ALL, education_programme: READ_ALL },
  member_admin: Object.fromEntries(RESOURCES.map((r) => [r, CRUD('tree')])),
  member_agent: { education_school: READ_TREE, education_asset: READ_TREE, education_licence: READ_TREE, education_programme: READ_TREE },
  school_staff: {
    education_school: READ_TREE,
    education_pupil: { read: 'tree', create: 'tree', update: 'tree' },
    education_asset: { read: 'tree', update: 'tree' },
    education_repair: { read: 'tree', create: 'tree' },
    education_licence: READ_TREE,
  },
  technician: { education_school: READ_ALL, education_asset: CRUD('all'), education_repair: { read: 'all', update: 'all' } },
  auditor: { education_school: READ_ALL, education_asset: READ_ALL, education_repair: READ_ALL, education_licence: READ_ALL, education_programme: READ_ALL },
});
