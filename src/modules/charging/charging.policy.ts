import { CRUD, modulePolicy } from '../../platform/auth/roles.js';

const READ_ALL = { read: 'all' } as const;
const READ_TREE = { read: 'tree' } as const;
const SEND_ALL = { read: 'all', create: 'all' } as const;

// SMO staff run the network; members follow the stations of their territory; technicians operate every
// station (commands) without changing the registry; auditors read everything.
export const chargingPolicy = modulePolicy(['charging_station', 'charging_session', 'charging_badge', 'charging_command'], {
  smo_admin: { charging_station: CRUD('all'), charging_session: READ_ALL, charging_badge: CRUD('all'), charging_command: SEND_ALL },
  smo_agent: { charging_station: { read: 'all', create: 'all', update: 'all' }, charging_session: READ_ALL, charging_badge: CRUD('all'), charging_command: SEND_ALL },
  member_admin: { charging_station: READ_TREE, charging_session: READ_TREE, charging_badge: READ_TREE, charging_command: READ_TREE },
  member_agent: { charging_station: READ_TREE, charging_session: READ_TREE },
  operator: { charging_station: READ_ALL },
  technician: { charging_station: READ_ALL, charging_session: READ_ALL, charging_badge: READ_ALL, charging_command: SEND_ALL },
  auditor: { charging_station: READ_ALL, charging_session: READ_ALL, charging_badge: READ_ALL, charging_command: READ_ALL },
});
