import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Type } from 'typebox';
import { CONSOLE_DIST, ensureConsoleBuilt } from './console-build.js';

export interface ConsoleOptions {
  tileUrl: string | undefined;
  /** Build web/dist first when it is missing or older than the sources (npm start, browser tests). */
  ensureBuilt?: boolean;
  root?: string;
}

const ConsoleConfig = Type.Object({
  tileUrl: Type.Union([Type.String(), Type.Null()], { description: 'Modèle d’URL des tuiles du fond de carte ; null : carte sans fond' }),
  tileAttribution: Type.Union([Type.String(), Type.Null()]),
});

function attributionOf(tileUrl: string): string {
  const host = new URL(tileUrl.replace(/[{}]/g, '')).hostname;
  return /(^|\.)(geopf|ign)\.fr$/.test(host) ? '© IGN – Plan IGN' : `Fond de carte : ${host}`;
}

/**
 * The web console: its static build at /, its configuration at /api/console-config, and index.html for
 * every other GET that is not the API nor the API docs, so that the console's own routes survive a reload.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const root = options.root ?? CONSOLE_DIST;
  if (options.ensureBuilt) {
    // A console that does not build must not take the API down with it: the previous build, if any, is served.
    try {
      const result = await ensureConsoleBuilt({ log: (message) => app.log.info(message) });
      if (result.built) app.log.info({ ms: Math.round(result.ms) }, 'web console built');
    } catch (error) {
      app.log.error({ err: error }, 'web console build failed');
    }
  }

  app.get(
    '/api/console-config',
    { config: { public: true }, schema: { tags: ['platform'], summary: 'Configuration de la console web (fond de carte)', response: { 200: ConsoleConfig } } },
    async () => ({ tileUrl: options.tileUrl ?? null, tileAttribution: options.tileUrl ? attributionOf(options.tileUrl) : null }),
  );

  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.error(`web console not built (${root} has no index.html): run npm run build:web`);
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per built file: unknown paths fall through to the SPA route below instead of a 404.
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, file) {
      res.setHeader('vary', 'accept-encoding');
      // Vite names assets by content hash: they never change, index.html always may.
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (url.startsWith('/api/') || url === '/api' || url.startsWith('/docs') || path.extname(url) !== '') return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
