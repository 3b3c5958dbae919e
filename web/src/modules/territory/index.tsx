import { RequirePermission } from '../../app/components';
import TerritoryTiles from './pages/TerritoryTiles';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const territoryModule: ConsoleModule = {
  id: 'territory',
  nav: [
    { to: '/territoire/carte', label: T.nav.map, resource: 'commune' },
    { to: '/sites', label: T.nav.sites, resource: 'site' },
  ],
  routes: [
    {
      element: <RequirePermission resource="commune" />,
      children: [
        { path: 'territoire/carte', lazy: async () => ({ Component: (await import('./pages/MapPage')).MapPage }) },
        { path: 'territoire/communes/:insee', lazy: async () => ({ Component: (await import('./pages/CommunePage')).CommunePage }) },
      ],
    },
    {
      element: <RequirePermission resource="site" />,
      children: [
        { path: 'sites', lazy: async () => ({ Component: (await import('./pages/SitesPage')).SitesPage }) },
        { path: 'sites/:id', lazy: async () => ({ Component: (await import('./pages/SitePage')).SitePage }) },
      ],
    },
    {
      element: <RequirePermission resource="site" action="create" />,
      children: [{ path: 'sites/nouveau', lazy: async () => ({ Component: (await import('./pages/SiteFormPage')).SiteCreatePage }) }],
    },
    {
      element: <RequirePermission resource="site" action="update" />,
      children: [{ path: 'sites/:id/modifier', lazy: async () => ({ Component: (await import('./pages/SiteFormPage')).SiteEditPage }) }],
    },
  ],
  tiles: { resource: 'commune', Component: TerritoryTiles },
  live: [
    { topic: 'territory.site.', queryKeys: ['sites', 'site', 'commune', 'territory-figures'] },
    { topic: 'territory.member.', queryKeys: ['members', 'communes', 'communes-geojson', 'commune', 'territory-figures'] },
  ],
};
