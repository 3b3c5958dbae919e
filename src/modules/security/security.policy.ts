import { CRUD, modulePolicy, READ_ALL } from '../../platform/auth/roles.js';

/**
 * Security data is the SMO's: its supervision staff work on every member's sites. Operators are further
 * narrowed by the service to the sites of the supervision centre they serve (see scope.ts).
 */
export const securityPolicy = modulePolicy(['security_device', 'security_alarm', 'security_rule', 'security_dead_letter', 'security_centre', 'security_study'], {
  smo_admin: { security_device: CRUD('all'), security_alarm: READ_ALL, security_rule: CRUD('all'), security_dead_letter: READ_ALL, security_centre: CRUD('all'), security_study: CRUD('all') },
  smo_agent: { security_device: READ_ALL, security_study: READ_ALL },
  member_admin: { security_device: { read: 'tree' }, security_study: { read: 'tree' } },
  member_agent: { security_device: { read: 'own' }, security_study: { read: 'own' } },
  operator: { security_device: READ_ALL, security_alarm: { read: 'all', update: 'all' }, security_rule: READ_ALL, security_centre: READ_ALL },
  supervisor: {
    security_device: CRUD('all'),
    security_alarm: { read: 'all', update: 'all' },
    security_rule: CRUD('all'),
    security_dead_letter: READ_ALL,
    security_centre: CRUD('all'),
    security_study: CRUD('all'),
  },
  technician: { security_device: { read: 'all', update: 'all' } },
  auditor: { security_device: READ_ALL, security_alarm: READ_ALL, security_rule: READ_ALL, security_dead_letter: READ_ALL, security_centre: READ_ALL, security_study: READ_ALL },
});
