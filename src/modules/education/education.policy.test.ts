import { describe } from 'vitest';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { educationPolicy } from './education.policy.js';

type R = (typeof educationPolicy.resources)[number];
const ALL = (letters: string) => ({ own: letters, child: letters, other: letters });
const TREE = (letters: string) => ({ own: letters, child: letters, other: '' });

const EXPECTED: ExpectedMatrix<R> = {
  smo_admin: {
    education_school: ALL('rcud'),
    education_pupil: ALL('rcud'),
    education_asset: ALL('rcud'),
    education_repair: ALL('rcud'),
    education_licence: ALL('rcud'),
    education_programme: ALL('rcud'),
  },
  smo_agent: { education_school: ALL('r'), education_asset: ALL('r'), education_licence: ALL('r'), education_programme: ALL('r') },
  member_admin: {
    education_school: TREE('rcud'),
    education_pupil: TREE('rcud'),
    education_asset: TREE('rcud'),
    education_repair: TREE('rcud'),
    education_licence: TREE('rcud'),
    education_programme: TREE('rcud'),
  },
  member_agent: { education_school: TREE('r'), education_asset: TREE('r'), education_licence: TREE('r'), education_programme: TREE('r') },
  school_staff: {
    education_school: TREE('r'),
    education_pupil: TREE('rcu'),
    education_asset: TREE('ru'),
    education_repair: TREE('rc'),
    education_licence: TREE('r'),
  },
  technician: { education_school: ALL('r'), education_asset: ALL('rcud'), education_repair: ALL('ru') },
  auditor: { education_school: ALL('r'), education_asset: ALL('r'), education_repair: ALL('r'), education_licence: ALL('r'), education_programme: ALL('r') },
};

describe('education authorisation matrix', () => {
  checkMatrix(educationPolicy.resources, EXPECTED);
});
