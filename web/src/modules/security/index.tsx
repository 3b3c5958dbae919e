import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const securityModule: ConsoleModule = {
  id: 'security',
  nav: [
    { to: '/securite/alarmes', label: T.nav.queue, resource: 'security_alarm' },
    { to: '/securite/indicateurs', label: T.nav.indicators, resource: 'security_alarm' },
    { to: '/securite/equipements', label: T.nav.devices, resource: 'security_device' },
    { to: '/securite/etudes', label: T.nav.studies, resource: 'security_study' },
    { to: '/securite/regles', label: T.nav.rules, resource: 'security_rule' },
    { to: '/securite/messages-rejetes', label: T.nav.deadLetters, resource: 'security_dead_letter' },
  ],
  routes: [
    {
      element: <RequirePermission resource="security_alarm" />,
      children: [
        { path: 'securite/alarmes', lazy: async () => ({ Component: (await import('./pages/QueuePage')).QueuePage }) },
        { path: 'securite/alarmes/:id', lazy: async () => ({ Component: (await import('./pages/AlarmPage')).AlarmPage }) },
        { path: 'securite/alarmes/:id/rapport', lazy: async () => ({ Component: (await import('./pages/ReportPage')).ReportPage }) },
        { path: 'securite/indicateurs', lazy: async () => ({ Component: (await import('./pages/IndicatorsPage')).IndicatorsPage }) },
      ],
    },
    {
      element: <RequirePermission resource="security_device" />,
      children: [{ path: 'securite/equipements', lazy: async () => ({ Component: (await import('./pages/DevicesPage')).DevicesPage }) }],
    },
    {
      element: <RequirePermission resource="security_study" />,
      children: [
        { path: 'securite/etudes', lazy: async () => ({ Component: (await import('./pages/StudiesPage')).StudiesPage }) },
        { path: 'securite/etudes/:siteId', lazy: async () => ({ Component: (await import('./pages/StudiesPage')).StudyPage }) },
      ],
    },
    {
      element: <RequirePermission resource="security_rule" />,
      children: [{ path: 'securite/regles', lazy: async () => ({ Component: (await import('./pages/RulesPage')).RulesPage }) }],
    },
    {
      element: <RequirePermission resource="security_dead_letter" />,
      children: [{ path: 'securite/messages-rejetes', lazy: async () => ({ Component: (await import('./pages/DeadLettersPage')).DeadLettersPage }) }],
    },
  ],
  live: [{ topic: 'security.', queryKeys: ['security'] }],
};
