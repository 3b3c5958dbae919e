import { describe } from 'vitest';
import { ROLES } from '../../platform/auth/roles.js';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { fibrePolicy } from './fibre.policy.js';

const READ = { own: 'r', child: 'r', other: 'r' };
const EXPECTED: ExpectedMatrix<'fibre' | 'fibre_import'> = {
  ...Object.fromEntries(ROLES.map((role) => [role, { fibre: READ }])),
  smo_admin: { fibre: READ, fibre_import: { own: 'rc', child: 'rc', other: 'rc' } },
  smo_agent: { fibre: READ, fibre_import: { own: 'rc', child: 'rc', other: 'rc' } },
  auditor: { fibre: READ, fibre_import: READ },
};

describe('fibre authorisation matrix', () => {
  checkMatrix(fibrePolicy.resources, EXPECTED);
});
