import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';
import { OFFICER_ROLES } from './types';

/** Video evidence: requisitions and their holds, signed packages, the recordings index, the access register. */
export const evidenceModule: ConsoleModule = {
  id: 'evidence',
  nav: [
    { to: '/preuves/requisitions', label: T.nav.requisitions, resource: 'evidence_requisition', roles: OFFICER_ROLES },
    { to: '/preuves/gels', label: T.nav.holds, resource: 'evidence_recording' },
    { to: '/preuves/enregistrements', label: T.nav.recordings, resource: 'evidence_recording' },
    { to: '/preuves/registre', label: T.nav.register, resource: 'evidence_register' },
    { to: '/preuves/autorisations', label: T.nav.authorisations, resource: 'evidence_authorisation' },
  ],
  routes: [
    {
      element: <RequirePermission resource="evidence_requisition" action="create" />,
      children: [{ path: 'preuves/requisitions/nouvelle', lazy: async () => ({ Component: (await import('./pages/RequisitionFormPage')).RequisitionFormPage }) }],
    },
    {
      // A police officer has no grant: the API answers with the requisitions naming their account.
      element: <RequirePermission resource="evidence_requisition" roles={OFFICER_ROLES} />,
      children: [
        { path: 'preuves/requisitions', lazy: async () => ({ Component: (await import('./pages/RequisitionsPage')).RequisitionsPage }) },
        { path: 'preuves/requisitions/:id', lazy: async () => ({ Component: (await import('./pages/RequisitionPage')).RequisitionPage }) },
      ],
    },
    {
      element: <RequirePermission resource="evidence_recording" />,
      children: [
        { path: 'preuves/gels', lazy: async () => ({ Component: (await import('./pages/HoldsPage')).HoldsPage }) },
        { path: 'preuves/enregistrements', lazy: async () => ({ Component: (await import('./pages/RecordingsPage')).RecordingsPage }) },
      ],
    },
    {
      element: <RequirePermission resource="evidence_register" />,
      children: [{ path: 'preuves/registre', lazy: async () => ({ Component: (await import('./pages/RegisterPage')).RegisterPage }) }],
    },
    {
      element: <RequirePermission resource="evidence_authorisation" />,
      children: [{ path: 'preuves/autorisations', lazy: async () => ({ Component: (await import('./pages/AuthorisationsPage')).AuthorisationsPage }) }],
    },
  ],
  // The evidence module publishes no live events: its pages refetch on their own (packages while they build).
  live: [],
};
