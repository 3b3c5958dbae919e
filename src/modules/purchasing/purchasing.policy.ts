import { CRUD, modulePolicy, READ_ALL } from '../../platform/auth/roles.js';

/**
 * The purchasing centre: the SMO awards agreements, keeps the catalogue, signs conventions, validates
 * orders and holds budgets; members order within their tree. Workflow steps that belong to one side are
 * resources of their own, so that no route compares roles:
 * - purchasing_approval (create): submit a member's draft — its approver, the member administrator;
 * - purchasing_validation (create): validate, send, invoice and close — the SMO's buyers;
 * - purchasing_override (create): validate beyond a budget or a lot's maximum — the SMO administrator only.
 */
const CATALOGUE_READ = { purchasing_agreement: READ_ALL, purchasing_catalogue: READ_ALL };
const SMO = {
  purchasing_agreement: CRUD('all'),
  purchasing_catalogue: CRUD('all'),
  purchasing_convention: CRUD('all'),
  purchasing_budget: CRUD('all'),
  purchasing_order: { read: 'all', update: 'all', delete: 'all' },
  purchasing_validation: { create: 'all' },
} as const;

export const purchasingPolicy = modulePolicy(
  [
    'purchasing_agreement',
    'purchasing_catalogue',
    'purchasing_convention',
    'purchasing_order',
    'purchasing_approval',
    'purchasing_validation',
    'purchasing_override',
    'purchasing_budget',
  ],
  {
    smo_admin: { ...SMO, purchasing_override: { create: 'all' } },
    smo_agent: SMO,
    member_admin: {
      ...CATALOGUE_READ,
      purchasing_convention: { read: 'tree' },
      purchasing_budget: { read: 'tree' },
      purchasing_order: CRUD('tree'),
      purchasing_approval: { create: 'tree' },
    },
    member_agent: {
      ...CATALOGUE_READ,
      purchasing_convention: { read: 'own' },
      purchasing_budget: { read: 'own' },
      purchasing_order: CRUD('own'),
    },
    auditor: {
      ...CATALOGUE_READ,
      purchasing_convention: READ_ALL,
      purchasing_budget: READ_ALL,
      purchasing_order: READ_ALL,
    },
  },
);
