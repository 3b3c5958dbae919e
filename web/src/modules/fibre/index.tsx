import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const fibreModule: ConsoleModule = {
  id: 'fibre',
  nav: [
    { to: '/fibre', label: T.nav.progress, resource: 'fibre' },
    { to: '/fibre/imports', label: T.nav.imports, resource: 'fibre_import' },
  ],
  routes: [
    {
      element: <RequirePermission resource="fibre" />,
      children: [
        { path: 'fibre', lazy: async () => ({ Component: (await import('./pages/FibreMapPage')).FibreMapPage }) },
        { path: 'fibre/communes/:insee', lazy: async () => ({ Component: (await import('./pages/FibreCommunePage')).FibreCommunePage }) },
      ],
    },
    {
      element: <RequirePermission resource="fibre_import" />,
      children: [{ path: 'fibre/imports', lazy: async () => ({ Component: (await import('./pages/FibreImportsPage')).FibreImportsPage }) }],
    },
  ],
  live: [{ topic: 'fibre.import.', queryKeys: ['fibre'] }],
};
