import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The platform's Ed25519 key that signs evidence manifests; its public half is published for anyone to verify. */
export interface SigningKey {
  sign(data: Buffer): Buffer;
  /** The private key in PKCS#8 PEM, to hand to the package builder's process over its IPC channel only. */
  privateKeyPem(): string;
  publicKeyPem: string;
  /** SHA-256 of the public key's DER (SubjectPublicKeyInfo), as `openssl pkey -pubin -outform DER | sha256sum` prints it. */
  fingerprint: string;
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the evidence signing key must be Ed25519, not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  const publicKey = createPublicKey(privateKey);
  return {
    sign: (data) => sign(null, data, privateKey),
    privateKeyPem: () => privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
  };
}

export const signingKeyFromPem = (pem: string): SigningKey => fromPrivate(createPrivateKey(pem));

export function publicKeyFingerprint(key: KeyObject | string): string {
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function verifySignature(publicKeyPem: string, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, data, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}

/**
 * Reads the key from `file`; when the file does not exist and `create` is set, makes a new key there,
 * readable by its owner only. Without a file (tests, in-memory platforms) the key lives as long as the process.
 */
export function loadSigningKey(file: string | undefined, create: boolean): SigningKey {
  if (file && fs.existsSync(file)) return fromPrivate(createPrivateKey(fs.readFileSync(file)));
  const { privateKey } = generateKeyPairSync('ed25519');
  if (file && create) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } else if (file) {
    throw new Error(`evidence signing key ${file} does not exist`);
  }
  return fromPrivate(privateKey);
}
