export { educationMigrations } from './education.migrations.js';
export { educationRoutes } from './education.routes.js';
export { EducationService } from './education.service.js';
export { ASSET_TYPES, type AssetType } from './education.tables.js';
export { DELIVERY_TOPIC, type DeliveredOrder } from './asset.service.js';
export { loadEducationDemo } from './education-demo.js';
export { CLI_ACTOR } from './school-access.js';
export { ONDE_FILE_NAMES } from './onde-import.js';
