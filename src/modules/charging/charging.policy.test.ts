import { describe } from 'vitest';
import { checkMatrix, type ExpectedMatrix } from '../../../test/support/policy-matrix.js';
import { chargingPolicy } from './charging.policy.js';

const ALL = (letters: string) => ({ own: letters, child: letters, other: letters });
const TREE = (letters: string) => ({ own: letters, child: letters, other: '' });

const EXPECTED: ExpectedMatrix<'charging_station' | 'charging_session' | 'charging_badge' | 'charging_command'> = {
  smo_admin: { charging_station: ALL('rcud'), charging_session: ALL('r'), charging_badge: ALL('rcud'), charging_command: ALL('rc') },
  smo_agent: { charging_station: ALL('rcu'), charging_session: ALL('r'), charging_badge: ALL('rcud'), charging_command: ALL('rc') },
  member_admin: { charging_station: TREE('r'), charging_session: TREE('r'), charging_badge: TREE('r'), charging_command: TREE('r') },
  member_agent: { charging_station: TREE('r'), charging_session: TREE('r') },
  operator: { charging_station: ALL('r') },
  technician: { charging_station: ALL('r'), charging_session: ALL('r'), charging_badge: ALL('r'), charging_command: ALL('rc') },
  auditor: { charging_station: ALL('r'), charging_session: ALL('r'), charging_badge: ALL('r'), charging_command: ALL('r') },
};

describe('charging authorisation matrix', () => {
  checkMatrix(chargingPolicy.resources, EXPECTED);
});
