/** `mutualis evidence verify <package>`: checks a package folder or its .tar archive, as handed over. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar';
import { verifyPackage, type VerificationResult } from './package-format.js';
import { loadSigningKey } from './signing-key.js';

/** The folder holding manifest.json: the archive's single top folder, or the folder given. */
function packageRoot(dir: string): string {
  if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const only = entries.length === 1 && entries[0]!.isDirectory() ? path.join(dir, entries[0]!.name) : null;
  return only ?? dir;
}

export async function verifyCommand(target: string, trusted: { publicKeyFile?: string | undefined; platformKeyFile?: string | undefined }): Promise<{ code: number; result: VerificationResult | null; lines: string[] }> {
  if (!fs.existsSync(target)) return { code: 2, result: null, lines: [`${target} : introuvable`] };
  const lines: string[] = [];
  let trustedKeyPem: string | undefined;
  if (trusted.publicKeyFile) trustedKeyPem = fs.readFileSync(trusted.publicKeyFile, 'utf8');
  else if (trusted.platformKeyFile && fs.existsSync(trusted.platformKeyFile)) trustedKeyPem = loadSigningKey(trusted.platformKeyFile, false).publicKeyPem;
  else lines.push('attention : aucune clé de référence (--public-key) : la signature est vérifiée avec la clé jointe au paquet, comparez son empreinte à celle publiée par la plateforme');
  let temporary: string | undefined;
  try {
    let dir = target;
    if (fs.statSync(target).isFile()) {
      temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'mutualis-verify-'));
      await extract({ file: target, cwd: temporary, strict: true });
      dir = temporary;
    }
    const result = await verifyPackage(packageRoot(dir), trustedKeyPem);
    for (const line of result.checked) lines.push(`OK      ${line}`);
    for (const line of result.problems) lines.push(`ÉCHEC   ${line}`);
    lines.push(result.ok ? `scellé intègre : ${result.manifest?.segments.length ?? 0} enregistrements, réquisition n° ${result.manifest?.requisition.number ?? '?'}` : `scellé NON intègre : ${result.problems.length} problème(s)`);
    return { code: result.ok ? 0 : 1, result, lines };
  } catch (error) {
    lines.push(`${target} : archive illisible (${(error as Error).message})`);
    return { code: 1, result: null, lines };
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
}
