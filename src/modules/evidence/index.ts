export { evidenceMigrations } from './evidence.migrations.js';
export { evidenceRoutes } from './evidence.routes.js';
export { EvidenceService } from './evidence.service.js';
export { loadSigningKey, type SigningKey } from './signing-key.js';
export { verifyPackage, buildPackage, hashFile, type VerificationResult, type Manifest } from './package-format.js';
export { parseRecordingPath, type Segment } from './recordings.js';
export { MAX_RETENTION_DAYS } from './evidence.tables.js';
export { loadEvidenceDemo } from './evidence-demo.js';
