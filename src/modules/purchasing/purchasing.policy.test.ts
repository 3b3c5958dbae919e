import { describe } from 'vitest';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { purchasingPolicy } from './purchasing.policy.js';

type R = (typeof purchasingPolicy.resources)[number];
const ALL = (letters: string) => ({ own: letters, child: letters, other: letters });
const TREE = (letters: string) => ({ own: letters, child: letters, other: '' });
const OWN = (letters: string) => ({ own: letters, child: '', other: '' });

const SMO = {
  purchasing_agreement: ALL('rcud'),
  purchasing_catalogue: ALL('rcud'),
  purchasing_convention: ALL('rcud'),
  purchasing_budget: ALL('rcud'),
  purchasing_order: ALL('rud'),
  purchasing_validation: ALL('c'),
};

const EXPECTED: ExpectedMatrix<R> = {
  smo_admin: { ...SMO, purchasing_override: ALL('c') },
  smo_agent: SMO,
  member_admin: {
    purchasing_agreement: ALL('r'),
    purchasing_catalogue: ALL('r'),
    purchasing_convention: TREE('r'),
    purchasing_budget: TREE('r'),
    purchasing_order: TREE('rcud'),
    purchasing_approval: TREE('c'),
  },
  member_agent: {
    purchasing_agreement: ALL('r'),
    purchasing_catalogue: ALL('r'),
    purchasing_convention: OWN('r'),
    purchasing_budget: OWN('r'),
    purchasing_order: OWN('rcud'),
  },
  auditor: {
    purchasing_agreement: ALL('r'),
    purchasing_catalogue: ALL('r'),
    purchasing_convention: ALL('r'),
    purchasing_budget: ALL('r'),
    purchasing_order: ALL('r'),
  },
};

describe('purchasing authorisation matrix', () => {
  checkMatrix(purchasingPolicy.resources, EXPECTED);
});
