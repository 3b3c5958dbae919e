import { everyRole, modulePolicy, READ_ALL } from '../../platform/auth/roles.js';

// Fibre progress is public-interest data (the public reads it as open data): every account may read it.
export const fibrePolicy = modulePolicy(['fibre', 'fibre_import'], {
  ...everyRole({ fibre: READ_ALL }),
  smo_admin: { fibre: READ_ALL, fibre_import: { read: 'all', create: 'all' } },
  smo_agent: { fibre: READ_ALL, fibre_import: { read: 'all', create: 'all' } },
  auditor: { fibre: READ_ALL, fibre_import: READ_ALL },
});
