export { fibreMigrations } from './fibre.migrations.js';
export { fibreRoutes } from './fibre.routes.js';
export { FibreService, PROGRAMME_TARGET_HOUSEHOLDS, type ImportOutcome, type FibreImport, type CommuneProgress } from './fibre.service.js';
export { STATES, STATE_LABELS, type StateCode } from './fibre.tables.js';
export { loadFibreDemo } from './fibre-demo.js';
