import { RequirePermission } from '../../app/components';
import type { ConsoleModule } from '../../app/module';
import { T } from './strings';

export const purchasingModule: ConsoleModule = {
  id: 'purchasing',
  nav: [
    { to: '/achats/catalogue', label: T.nav.catalogue, resource: 'purchasing_catalogue' },
    { to: '/achats/commandes', label: T.nav.orders, resource: 'purchasing_order' },
    { to: '/achats/validation', label: T.nav.queue, resource: 'purchasing_validation', action: 'create' },
    { to: '/achats/budgets', label: T.nav.budgets, resource: 'purchasing_budget' },
    { to: '/achats/economies', label: T.nav.savings, resource: 'purchasing_order' },
    { to: '/achats/accords-cadres', label: T.nav.agreements, resource: 'purchasing_agreement' },
  ],
  routes: [
    {
      element: <RequirePermission resource="purchasing_catalogue" />,
      children: [{ path: 'achats/catalogue', lazy: async () => ({ Component: (await import('./pages/CataloguePage')).CataloguePage }) }],
    },
    {
      element: <RequirePermission resource="purchasing_order" />,
      children: [
        { path: 'achats/commandes', lazy: async () => ({ Component: (await import('./pages/OrdersPage')).OrdersPage }) },
        { path: 'achats/commandes/:id', lazy: async () => ({ Component: (await import('./pages/OrderPage')).OrderPage }) },
        { path: 'achats/economies', lazy: async () => ({ Component: (await import('./pages/SavingsPage')).SavingsPage }) },
      ],
    },
    {
      element: <RequirePermission resource="purchasing_validation" action="create" />,
      children: [{ path: 'achats/validation', lazy: async () => ({ Component: (await import('./pages/OrdersPage')).ValidationQueuePage }) }],
    },
    {
      element: <RequirePermission resource="purchasing_budget" />,
      children: [{ path: 'achats/budgets', lazy: async () => ({ Component: (await import('./pages/BudgetsPage')).BudgetsPage }) }],
    },
    {
      element: <RequirePermission resource="purchasing_agreement" />,
      children: [{ path: 'achats/accords-cadres', lazy: async () => ({ Component: (await import('./pages/AgreementsPage')).AgreementsPage }) }],
    },
  ],
  live: [{ topic: 'purchasing.', queryKeys: ['purchasing'] }],
};
