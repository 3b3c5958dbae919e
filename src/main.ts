import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { openPlatform } from './platform/platform.js';
import { buildHttpApp } from './platform/http/app.js';
import { consolePlugin } from './platform/http/console.js';
import { ensureBootstrapAdmin, seedDemo } from './demo/seed.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`mutualis: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const platform = await openPlatform(config);
const app = await buildHttpApp(platform, {
  extend: (app) => consolePlugin(app, { tileUrl: config.tileUrl, ensureBuilt: true }),
});
if (platform.applied.length) app.log.info({ migrations: platform.applied }, 'migrations applied');
try {
  if (await ensureBootstrapAdmin(platform)) app.log.info({ email: config.adminEmail }, 'bootstrap administrator created');
} catch (error) {
  app.log.error(`MUTUALIS_ADMIN_PASSWORD is refused: ${error instanceof Error ? error.message : String(error)}`);
  await platform.close();
  process.exit(2);
}
// The embedded default is the newcomer's platform: it starts with the demo data on its first start.
if (!config.databaseUrl && config.nodeEnv !== 'production' && platform.applied.length) {
  const report = await seedDemo(platform);
  app.log.info(report, 'demo data loaded (password of every demo account: see README)');
}

// Pupils' data is deleted once the retention after their leaving has passed: checked at start, then daily.
const purgePupils = () =>
  platform.education.purgeLeftPupils().then(
    (r) => r.purged && app.log.info(r, 'education: pupils past retention purged'),
    (error: unknown) => app.log.error({ err: error }, 'education: pupil purge failed'),
  );
void purgePupils();
const purgeTimer = setInterval(() => void purgePupils(), 24 * 3600 * 1000);
purgeTimer.unref();

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    clearInterval(purgeTimer);
    app.log.info({ signal }, 'shutting down');
    void app.close().then(() => platform.close()).then(() => process.exit(0));
  });
}

await app.listen({ port: config.port, host: config.host });
// The device bus comes up after the HTTP server: an unreachable broker is retried in the background.
await platform.security.start(app.log);
await platform.evidence.start(app.log);
app.log.info(`Mutualis ready on http://${config.host}:${config.port} (database: ${platform.database.kind}${platform.database.kind === 'pglite' ? `, ${config.dataDir}` : ''})`);
