/**
 * The servers under test, in their own process so that the load generator does not share their CPU:
 * Mutualis on the PostgreSQL server (scratch database, demo data) and a bare Fastify route as baseline.
 * Prints one JSON line with their ports and an API token, then serves until killed.
 */
import Fastify from 'fastify';
import { loadConfig } from '../src/platform/config.js';
import { openPlatform } from '../src/platform/platform.js';
import { buildHttpApp } from '../src/platform/http/app.js';
import { seedDemo } from '../src/demo/seed.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.service.js';
import { createScratchDatabase } from '../test/support/databases.js';

const scratch = await createScratchDatabase();
const platform = await openPlatform(loadConfig({ NODE_ENV: 'production', DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' }), { poolSize: 10 });
// Demo data is refused in production mode; seed it through a development view of the same platform.
await seedDemo({ ...platform, config: { ...platform.config, nodeEnv: 'development' } });
const agent = (await platform.accounts.findByEmail('admin@mutualis.demo'))!;
const { token } = await platform.accounts.createToken(SYSTEM_ACTOR, agent, 'bench', null);
const app = await buildHttpApp(platform, { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });

// The bare routes: no plugin, no authentication, no database. One answers a tiny object, the other
// the very page of 50 communes that the search returns, so that the payload's cost is in both.
const page = (await app.inject({ url: '/api/communes?pageSize=50&sort=name', headers: { authorization: `Bearer ${token}` } })).json();
const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ status: 'ok' }));
bare.get('/bare-page', async () => page);
await bare.listen({ port: 0, host: '127.0.0.1' });

const portOf = (a: typeof bare) => (a.server.address() as { port: number }).port;
console.log(JSON.stringify({ mutualis: portOf(app as unknown as typeof bare), bare: portOf(bare), token }));

const stop = async () => {
  await app.close();
  await bare.close();
  await platform.close();
  await scratch.drop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
