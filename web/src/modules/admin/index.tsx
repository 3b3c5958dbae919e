import { RequirePermission } from '../../app/components';
import AdminTiles from './pages/AdminTiles';
import type { ConsoleModule } from '../../app/module';
import { A } from './strings';

/** Accounts and the audit trail: the platform's own pages. */
export const adminModule: ConsoleModule = {
  id: 'admin',
  nav: [
    { to: '/administration/utilisateurs', label: A.nav.users, resource: 'user' },
    { to: '/administration/audit', label: A.nav.audit, resource: 'audit' },
  ],
  routes: [
    {
      element: <RequirePermission resource="user" />,
      children: [{ path: 'administration/utilisateurs', lazy: async () => ({ Component: (await import('./pages/UsersPage')).UsersPage }) }],
    },
    {
      element: <RequirePermission resource="audit" />,
      children: [{ path: 'administration/audit', lazy: async () => ({ Component: (await import('./pages/AuditPage')).AuditPage }) }],
    },
  ],
  tiles: { resource: 'user', Component: AdminTiles },
  // Every published change is also written to the audit trail.
  live: [{ topic: '', queryKeys: ['audit', 'admin-figures'] }],
};
