export { territoryMigrations } from './territory.migrations.js';
export { territoryRoutes } from './territory.routes.js';
export { TerritoryService, type Site, type SiteInput, type Member, type Commune, type Scope } from './territory.service.js';
export { DEPARTEMENTS, SMO_MEMBER_ID, memberIdOf } from './reference-data.js';
export { SITE_KINDS, type SiteKind } from './territory.tables.js';
export type { CommuneCatalogue } from './commune-catalogue.js';
