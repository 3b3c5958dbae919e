import { describe } from 'vitest';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { evidencePolicy } from './evidence.policy.js';

type R = (typeof evidencePolicy.resources)[number];
const all = (letters: string) => ({ own: letters, child: letters, other: letters });
const tree = (letters: string) => ({ own: letters, child: letters, other: '' });
// The police officer and the technician have nothing here by role: an officer reaches the requisitions naming them.
const EXPECTED: ExpectedMatrix<R> = {
  smo_admin: { evidence_recording: all('rcd'), evidence_authorisation: all('rcud'), evidence_requisition: all('rcud'), evidence_register: all('r') },
  smo_agent: { evidence_authorisation: all('r') },
  member_admin: { evidence_recording: tree('r'), evidence_authorisation: tree('rcud'), evidence_requisition: tree('rcud'), evidence_register: tree('r') },
  member_agent: { evidence_authorisation: { own: 'r', child: '', other: '' } },
  operator: { evidence_recording: all('r'), evidence_authorisation: all('r') },
  supervisor: { evidence_recording: all('rc'), evidence_authorisation: all('r'), evidence_requisition: all('rcud'), evidence_register: all('r') },
  auditor: { evidence_authorisation: all('r'), evidence_requisition: all('r'), evidence_register: all('r') },
};

describe('evidence authorisation matrix', () => {
  checkMatrix(evidencePolicy.resources, EXPECTED);
});
