import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const chargingModule: ConsoleModule = {
  id: 'charging',
  nav: [
    { to: '/recharge', label: T.nav.stations, resource: 'charging_station' },
    { to: '/recharge/sessions', label: T.nav.sessions, resource: 'charging_session' },
    { to: '/recharge/badges', label: T.nav.badges, resource: 'charging_badge' },
    { to: '/recharge/indicateurs', label: T.nav.indicators, resource: 'charging_session' },
  ],
  routes: [
    {
      element: <RequirePermission resource="charging_station" />,
      children: [
        { path: 'recharge', lazy: async () => ({ Component: (await import('./pages/StationsPage')).StationsPage }) },
        { path: 'recharge/bornes/:id', lazy: async () => ({ Component: (await import('./pages/StationPage')).StationPage }) },
      ],
    },
    {
      element: <RequirePermission resource="charging_session" />,
      children: [
        { path: 'recharge/sessions', lazy: async () => ({ Component: (await import('./pages/SessionsPage')).SessionsPage }) },
        { path: 'recharge/indicateurs', lazy: async () => ({ Component: (await import('./pages/IndicatorsPage')).IndicatorsPage }) },
      ],
    },
    {
      element: <RequirePermission resource="charging_badge" />,
      children: [{ path: 'recharge/badges', lazy: async () => ({ Component: (await import('./pages/BadgesPage')).BadgesPage }) }],
    },
  ],
  // Every station, session and command event refreshes the charging views (the topics' 2nd segment is the policy resource).
  live: [{ topic: 'charging.', queryKeys: ['charging'] }],
};
