/**
 * The evidence package on disk: segments copied and hashed in one pass, a manifest in JSON (signed with
 * Ed25519) and in HTML, a SHA256SUMS file for `sha256sum -c`, and the verifier that `mutualis evidence
 * verify` and the console share. Everything a court expert needs to check it is in the package or in the
 * standard tools: nothing here depends on Mutualis being reachable.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { publicKeyFingerprint, verifySignature, type SigningKey } from './signing-key.js';

export const PACKAGE_FORMAT = 'mutualis-evidence-package/1';
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.json.sig';
export const PUBLIC_KEY = 'public-key.pem';
export const SUMS = 'SHA256SUMS';
export const MANIFEST_HTML = 'manifest.html';
export const README = 'LISEZMOI.txt';
/** Where the platform publishes the key that signs every package. */
export const PUBLIC_KEY_URL = '/api/evidence/public-key.pem';

const CHUNK = 1 << 20;

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ManifestSegment extends ManifestFile {
  camera: { id: string; code: string; name: string };
  from: string;
  to: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  package: { id: string; name: string; createdAt: string; extractedBy: string; reason: string };
  requisition: { number: string; authority: string; officerName: string; officerService: string; legalBasis: string; from: string; to: string; deadline: string };
  site: { id: string; name: string; memberId: string; authorisation: string | null };
  segments: ManifestSegment[];
  documents: ManifestFile[];
  signing: { algorithm: 'Ed25519'; publicKeyFile: string; publicKeySha256: string; publishedAt: string };
}

export interface SegmentSource {
  /** Absolute path of the recording. */
  source: string;
  /** The SHA-256 recorded when the segment was indexed: a copy that differs means the recording changed since. */
  expectedSha256: string;
  camera: ManifestSegment['camera'];
  from: string;
  to: string;
}

export class PackageBuildError extends Error {}

/** Copies a file while hashing it, so that each byte is read once. */
async function copyHashed(source: string, target: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    highWaterMark: CHUNK,
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(fs.createReadStream(source, { highWaterMark: CHUNK }), tap, fs.createWriteStream(target, { highWaterMark: CHUNK }));
  return { sha256: hash.digest('hex'), size };
}

export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

const sha256Of = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const safeName = (value: string) => value.replace(/[^\w.-]+/g, '_');

export interface BuildInput {
  /** Folder that holds finished packages; the package is built beside them and renamed in at the end. */
  root: string;
  name: string;
  segments: SegmentSource[];
  manifest: Omit<Manifest, 'format' | 'segments' | 'documents' | 'signing'>;
  key: SigningKey;
}

/**
 * Builds the package in a hidden folder and renames it into place only when every file is written and
 * flushed: an interrupted build leaves a `.partial` folder that nothing takes for a package.
 */
export async function buildPackage(input: BuildInput): Promise<{ dir: string; manifest: Manifest; size: number; manifestSha256: string }> {
  const partial = path.join(input.root, `.${input.name}.partial-${randomBytes(4).toString('hex')}`);
  await fs.promises.mkdir(partial, { recursive: true });
  try {
    const segments: ManifestSegment[] = [];
    const used = new Set<string>();
    for (const segment of input.segments) {
      let relative = path.posix.join('segments', safeName(segment.camera.code), `${safeName(segment.from.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-'))}.mp4`);
      for (let n = 2; used.has(relative); n++) relative = relative.replace(/(-\d+)?\.mp4$/, `-${n}.mp4`);
      used.add(relative);
      await fs.promises.mkdir(path.join(partial, path.dirname(relative)), { recursive: true });
      const copied = await copyHashed(segment.source, path.join(partial, relative));
      if (copied.sha256 !== segment.expectedSha256) {
        throw new PackageBuildError(`l'enregistrement ${segment.camera.code} du ${segment.from} a changé depuis son indexation (SHA-256 ${copied.sha256} au lieu de ${segment.expectedSha256})`);
      }
      segments.push({ path: relative, size: copied.size, sha256: copied.sha256, camera: segment.camera, from: segment.from, to: segment.to });
    }
    const signing = { algorithm: 'Ed25519' as const, publicKeyFile: PUBLIC_KEY, publicKeySha256: input.key.fingerprint, publishedAt: PUBLIC_KEY_URL };
    const draft = { format: PACKAGE_FORMAT, ...input.manifest, segments, documents: [], signing } satisfies Manifest;
    const documents: Array<[string, string]> = [
      [MANIFEST_HTML, renderManifestHtml(draft)],
      [README, readme(draft)],
    ];
    const manifest: Manifest = { ...draft, documents: documents.map(([file, text]) => ({ path: file, size: Buffer.byteLength(text), sha256: sha256Of(text) })) };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const files: Array<[string, Buffer | string]> = [...documents, [MANIFEST, manifestBytes], [SIGNATURE, input.key.sign(manifestBytes)], [PUBLIC_KEY, input.key.publicKeyPem]];
    for (const [file, data] of files) await fs.promises.writeFile(path.join(partial, file), data);
    const sums = [...segments.map((s): [string, string] => [s.path, s.sha256]), ...files.map(([file, data]): [string, string] => [file, sha256Of(data)])]
      .map(([file, hash]) => `${hash}  ${file}\n`)
      .join('');
    await fs.promises.writeFile(path.join(partial, SUMS), sums);
    await syncTree(partial);
    const dir = path.join(input.root, input.name);
    await fs.promises.rename(partial, dir);
    const size = segments.reduce((sum, s) => sum + s.size, 0) + files.reduce((sum, [, data]) => sum + Buffer.byteLength(data), 0) + Buffer.byteLength(sums);
    return { dir, manifest, size, manifestSha256: sha256Of(manifestBytes) };
  } catch (error) {
    await fs.promises.rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Flushes every file and folder of the package, so that the rename never publishes data still in the page cache only. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const target = path.join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(target);
    else {
      const handle = await fs.promises.open(target, 'r');
      await handle.sync().finally(() => handle.close());
    }
  }
  const handle = await fs.promises.open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

/** Leftovers of builds that a crash interrupted: every one, or those of the package `name`. */
export async function removePartialBuilds(root: string, name?: string): Promise<string[]> {
  const entries = await fs.promises.readdir(root).catch(() => [] as string[]);
  const partials = entries.filter((entry) => entry.startsWith(name ? `.${name}.partial-` : '.') && entry.includes('.partial-'));
  await Promise.all(partials.map((name) => fs.promises.rm(path.join(root, name), { recursive: true, force: true })));
  return partials;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const frenchDate = (iso: string) => new Date(iso).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'medium' });

function renderManifestHtml(m: Omit<Manifest, 'documents'>): string {
  const rows = m.segments
    .map((s) => `<tr><td>${escape(s.camera.code)} — ${escape(s.camera.name)}</td><td>${escape(frenchDate(s.from))}</td><td>${escape(frenchDate(s.to))}</td><td>${s.size.toLocaleString('fr-FR')}</td><td><code>${escape(s.path)}</code></td><td><code>${s.sha256}</code></td></tr>`)
    .join('\n');
  const r = m.requisition;
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Scellé numérique ${escape(m.package.name)}</title>
<style>body{font-family:sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #999;padding:.3rem;text-align:left;vertical-align:top}code{word-break:break-all}dt{font-weight:bold}dd{margin:0 0 .5rem 0}</style></head>
<body>
<h1>Extraction d'images de vidéoprotection</h1>
<h2>Réquisition judiciaire n° ${escape(r.number)}</h2>
<dl>
<dt>Autorité requérante</dt><dd>${escape(r.authority)}</dd>
<dt>Officier</dt><dd>${escape(r.officerName)} (${escape(r.officerService)})</dd>
<dt>Fondement</dt><dd>${escape(r.legalBasis)}</dd>
<dt>Période demandée</dt><dd>du ${escape(frenchDate(r.from))} au ${escape(frenchDate(r.to))}</dd>
<dt>Site</dt><dd>${escape(m.site.name)}${m.site.authorisation ? ` — autorisation préfectorale ${escape(m.site.authorisation)}` : ''}</dd>
<dt>Extraction</dt><dd>par ${escape(m.package.extractedBy)} le ${escape(frenchDate(m.package.createdAt))} — motif : ${escape(m.package.reason)}</dd>
</dl>
<h2>Enregistrements (${m.segments.length})</h2>
<table><thead><tr><th>Caméra</th><th>Début</th><th>Fin</th><th>Octets</th><th>Fichier</th><th>SHA-256</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Vérification</h2>
<p>Le fichier <code>${MANIFEST}</code> fait foi ; il est signé (Ed25519) dans <code>${SIGNATURE}</code> par la clé publique <code>${PUBLIC_KEY}</code>, d'empreinte SHA-256 <code>${m.signing.publicKeySha256}</code>, publiée par la plateforme à l'adresse <code>${PUBLIC_KEY_URL}</code>.</p>
<pre>sha256sum -c ${SUMS}
openssl pkeyutl -verify -pubin -inkey ${PUBLIC_KEY} -rawin -in ${MANIFEST} -sigfile ${SIGNATURE}</pre>
</body></html>
`;
}

function readme(m: Omit<Manifest, 'documents'>): string {
  return `Scellé numérique ${m.package.name} — réquisition n° ${m.requisition.number}

Vérifier l'intégrité des fichiers :
  sha256sum -c ${SUMS}

Vérifier la signature du manifeste (OpenSSL 3) :
  openssl pkeyutl -verify -pubin -inkey ${PUBLIC_KEY} -rawin -in ${MANIFEST} -sigfile ${SIGNATURE}

Vérifier que la clé est celle de la plateforme : son empreinte SHA-256 est
  ${m.signing.publicKeySha256}
  openssl pkey -pubin -in ${PUBLIC_KEY} -outform DER | sha256sum
et la clé est publiée à l'adresse ${PUBLIC_KEY_URL} de la plateforme.

Ou tout vérifier d'un coup : mutualis evidence verify <dossier ou archive .tar>
`;
}

export interface VerificationResult {
  ok: boolean;
  /** What was checked and passed. */
  checked: string[];
  /** What is wrong, naming the file. */
  problems: string[];
  manifest: Manifest | null;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.promises.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, relative)));
    else out.push(relative);
  }
  return out;
}

/**
 * Checks a package folder: the manifest's signature, every file against the signed manifest and against
 * SHA256SUMS, and that nothing was added. `trustedKeyPem` is the platform's published key; without it the
 * key inside the package is only checked for consistency with the manifest.
 */
export async function verifyPackage(dir: string, trustedKeyPem?: string): Promise<VerificationResult> {
  const checked: string[] = [];
  const problems: string[] = [];
  const read = (file: string) => fs.promises.readFile(path.join(dir, file)).catch(() => null);
  const [manifestBytes, signature, keyPem, sums] = await Promise.all([read(MANIFEST), read(SIGNATURE), read(PUBLIC_KEY), read(SUMS)]);
  for (const [file, data] of [[MANIFEST, manifestBytes], [SIGNATURE, signature], [PUBLIC_KEY, keyPem], [SUMS, sums]] as const) {
    if (!data) problems.push(`${file} : fichier absent`);
  }
  let manifest: Manifest | null = null;
  if (manifestBytes) {
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
      if (manifest.format !== PACKAGE_FORMAT || !Array.isArray(manifest.segments) || !Array.isArray(manifest.documents)) {
        problems.push(`${MANIFEST} : format inconnu (${String(manifest.format)})`);
        manifest = null;
      }
    } catch {
      problems.push(`${MANIFEST} : JSON illisible`);
    }
  }
  if (manifestBytes && signature && keyPem) {
    let fingerprint: string | null = null;
    try {
      fingerprint = publicKeyFingerprint(keyPem.toString('utf8'));
    } catch {
      problems.push(`${PUBLIC_KEY} : clé publique illisible`);
    }
    if (fingerprint) {
      if (!verifySignature(keyPem.toString('utf8'), manifestBytes, signature)) problems.push(`${SIGNATURE} : la signature ne correspond pas à ${MANIFEST} (manifeste ou signature modifiés)`);
      else checked.push(`${SIGNATURE} : signature Ed25519 du manifeste valide`);
      if (manifest && manifest.signing?.publicKeySha256 !== fingerprint) problems.push(`${PUBLIC_KEY} : empreinte ${fingerprint} différente de celle du manifeste`);
      if (trustedKeyPem) {
        if (publicKeyFingerprint(trustedKeyPem) !== fingerprint) problems.push(`${PUBLIC_KEY} : le paquet n'est pas signé par la clé de la plateforme (empreinte ${fingerprint})`);
        else checked.push(`${PUBLIC_KEY} : clé de la plateforme (empreinte ${fingerprint})`);
      }
    }
  }
  const present = await listFiles(dir).catch(() => [] as string[]);
  // The manifest and SHA256SUMS name the same files: each is read and hashed once.
  const hashes = new Map<string, Promise<{ sha256: string; size: number } | null>>();
  const hashOf = (file: string) => {
    if (!hashes.has(file)) hashes.set(file, hashFile(path.join(dir, file)).catch(() => null));
    return hashes.get(file)!;
  };
  if (manifest) {
    const listed = [...manifest.segments, ...manifest.documents];
    for (const file of listed) {
      if (typeof file.path !== 'string' || file.path.includes('..') || path.isAbsolute(file.path)) {
        problems.push(`${MANIFEST} : chemin refusé ${String(file.path)}`);
        continue;
      }
      const actual = await hashOf(file.path);
      if (!actual) problems.push(`${file.path} : fichier absent`);
      else if (actual.sha256 !== file.sha256) problems.push(`${file.path} : contenu modifié (SHA-256 ${actual.sha256}, attendu ${file.sha256})`);
      else checked.push(`${file.path} : SHA-256 conforme au manifeste`);
    }
    const expected = new Set([...listed.map((f) => f.path), MANIFEST, SIGNATURE, PUBLIC_KEY, SUMS]);
    for (const file of present) if (!expected.has(file)) problems.push(`${file} : fichier ajouté, absent du manifeste`);
  }
  if (sums) {
    const lines = sums.toString('utf8').split('\n').filter(Boolean);
    const inSums = new Set<string>();
    for (const [index, line] of lines.entries()) {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!match) {
        problems.push(`${SUMS} : ligne ${index + 1} illisible`);
        continue;
      }
      const [, hash, file] = match as unknown as [string, string, string];
      inSums.add(file);
      const actual = await hashOf(file);
      if (!actual) problems.push(`${file} : fichier absent (listé dans ${SUMS})`);
      else if (actual.sha256 !== hash) problems.push(`${file} : ne correspond pas à ${SUMS}`);
    }
    for (const file of present) if (file !== SUMS && !inSums.has(file)) problems.push(`${file} : absent de ${SUMS}`);
    if (!problems.some((p) => p.includes(SUMS))) checked.push(`${SUMS} : ${lines.length} fichiers conformes`);
  }
  return { ok: problems.length === 0, checked, problems: [...new Set(problems)], manifest };
}
