import { describe } from 'vitest';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { securityPolicy } from './security.policy.js';

type R = (typeof securityPolicy.resources)[number];
const all = (letters: string) => ({ own: letters, child: letters, other: letters });
const EXPECTED: ExpectedMatrix<R> = {
  smo_admin: { security_device: all('rcud'), security_alarm: all('r'), security_rule: all('rcud'), security_dead_letter: all('r'), security_centre: all('rcud'), security_study: all('rcud') },
  smo_agent: { security_device: all('r'), security_study: all('r') },
  member_admin: { security_device: { own: 'r', child: 'r', other: '' }, security_study: { own: 'r', child: 'r', other: '' } },
  member_agent: { security_device: { own: 'r', child: '', other: '' }, security_study: { own: 'r', child: '', other: '' } },
  operator: { security_device: all('r'), security_alarm: all('ru'), security_rule: all('r'), security_centre: all('r') },
  supervisor: { security_device: all('rcud'), security_alarm: all('ru'), security_rule: all('rcud'), security_dead_letter: all('r'), security_centre: all('rcud'), security_study: all('rcud') },
  technician: { security_device: all('ru') },
  auditor: { security_device: all('r'), security_alarm: all('r'), security_rule: all('r'), security_dead_letter: all('r'), security_centre: all('r'), security_study: all('r') },
};

describe('security authorisation matrix', () => {
  checkMatrix(securityPolicy.resources, EXPECTED);
});
