/**
 * The package builder's own process. Copying and hashing a gigabyte of video is kept out of the server:
 * its memory stays small and measurable, the API's event loop does not share the hashing, and a builder that
 * dies (killed, out of disk) is seen as an interrupted build that published nothing.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../platform/paths.js';
import { buildPackage, removePartialBuilds, type BuildInput } from './package-format.js';
import { signingKeyFromPem, type SigningKey } from './signing-key.js';

type Built = Awaited<ReturnType<typeof buildPackage>>;
type Request = { input: Omit<BuildInput, 'key'>; keyPem: string };
type Reply = { ok: true; built: Built } | { ok: false; error: string };

const ENTRY = 'package-builder';

/**
 * Runs buildPackage in a child process. From the TypeScript sources (tests, CLI) the child runs this file
 * through tsx; from the server bundle, the bundle's own package-builder.mjs beside main.mjs.
 */
export function buildInChildProcess(input: Omit<BuildInput, 'key'>, key: SigningKey, onStart?: (pid: number) => void): Promise<Built> {
  const self = fileURLToPath(import.meta.url);
  const fromSources = self.endsWith('.ts');
  const script = fromSources ? self : path.join(path.dirname(self), `${ENTRY}.mjs`);
  const execArgv = fromSources ? ['--import', pathToFileURL(createRequire(path.join(PROJECT_ROOT, 'package.json')).resolve('tsx')).href] : [];
  return new Promise<Built>((resolve, reject) => {
    const child = fork(script, [ENTRY], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: Reply | undefined;
    child.once('message', (message: Reply) => (reply = message));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply?.ok) return resolve(reply.built);
      const reason = reply && !reply.ok ? reply.error : `le processus de construction s’est arrêté (${signal ?? `code ${code}`}) avant la fin`;
      // A killed builder cannot clean up after itself: its partial folder goes here.
      void removePartialBuilds(input.root, input.name).finally(() => reject(new Error(reason)));
    });
    if (child.pid) onStart?.(child.pid);
    child.send({ input, keyPem: key.privateKeyPem() } satisfies Request);
  });
}

if (process.argv[2] === ENTRY && process.send) {
  process.once('message', (request: Request) => {
    buildPackage({ ...request.input, key: signingKeyFromPem(request.keyPem) })
      .then((built): Reply => ({ ok: true, built }))
      .catch((error: unknown): Reply => ({ ok: false, error: error instanceof Error ? error.message : String(error) }))
      .then((reply) => process.send!(reply, () => process.disconnect()));
  });
}
