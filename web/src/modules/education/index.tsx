import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const educationModule: ConsoleModule = {
  id: 'education',
  nav: [
    { to: '/education/ecoles', label: T.nav.schools, resource: 'education_school' },
    { to: '/education/parc', label: T.nav.fleet, resource: 'education_asset' },
    { to: '/education/reparations', label: T.nav.repairs, resource: 'education_repair' },
    { to: '/education/programme', label: T.nav.programme, resource: 'education_programme' },
  ],
  routes: [
    {
      element: <RequirePermission resource="education_school" />,
      children: [
        { path: 'education/ecoles', lazy: async () => ({ Component: (await import('./pages/SchoolsPage')).SchoolsPage }) },
        { path: 'education/ecoles/:id', lazy: async () => ({ Component: (await import('./pages/SchoolPage')).SchoolPage }) },
      ],
    },
    {
      element: <RequirePermission resource="education_asset" />,
      children: [{ path: 'education/parc', lazy: async () => ({ Component: (await import('./pages/FleetPage')).FleetPage }) }],
    },
    {
      element: <RequirePermission resource="education_repair" />,
      children: [{ path: 'education/reparations', lazy: async () => ({ Component: (await import('./pages/RepairsPage')).RepairsPage }) }],
    },
    {
      element: <RequirePermission resource="education_programme" />,
      children: [{ path: 'education/programme', lazy: async () => ({ Component: (await import('./pages/ProgrammePage')).ProgrammePage }) }],
    },
  ],
  live: [
    { topic: 'education.education_asset.', queryKeys: ['education'] },
    { topic: 'education.education_repair.', queryKeys: ['education'] },
    { topic: 'education.education_pupil.', queryKeys: ['education'] },
    { topic: 'education.education_school.', queryKeys: ['education'] },
  ],
};
