import { CRUD, modulePolicy, READ_ALL } from '../../platform/auth/roles.js';

/**
 * Recordings are seen by the SMO's supervision staff and the site's member; requisitions are recorded by the
 * member's administrator (the site's legal officer) or the SMO's supervisors. A police officer has no grant by
 * role: the requisitions that name their account are theirs (see requisitions.ts). Creating recordings is the
 * video system's registration, through an API token of a supervisor's or an SMO administrator's account;
 * deleting them is running the retention job now.
 */
export const evidencePolicy = modulePolicy(['evidence_recording', 'evidence_authorisation', 'evidence_requisition', 'evidence_register'], {
  smo_admin: { evidence_recording: { read: 'all', create: 'all', delete: 'all' }, evidence_authorisation: CRUD('all'), evidence_requisition: CRUD('all'), evidence_register: READ_ALL },
  smo_agent: { evidence_authorisation: READ_ALL },
  member_admin: { evidence_recording: { read: 'tree' }, evidence_authorisation: CRUD('tree'), evidence_requisition: CRUD('tree'), evidence_register: { read: 'tree' } },
  member_agent: { evidence_authorisation: { read: 'own' } },
  operator: { evidence_recording: READ_ALL, evidence_authorisation: READ_ALL },
  supervisor: { evidence_recording: { read: 'all', create: 'all' }, evidence_authorisation: READ_ALL, evidence_requisition: CRUD('all'), evidence_register: READ_ALL },
  auditor: { evidence_authorisation: READ_ALL, evidence_requisition: READ_ALL, evidence_register: READ_ALL },
});
