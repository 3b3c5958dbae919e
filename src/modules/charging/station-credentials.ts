import { createHmac, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// Station passwords are machine secrets of 16 to 40 characters (OCPP 1.6 security whitepaper), not words a
// person chose: their length, not the hash's cost, is what resists guessing. argon2id at 2 MiB and one pass
// (under a millisecond here) keeps them unreadable at rest while a boot storm of thousands of stations after
// an outage verifies in seconds; the accounts' setting (19 MiB, two passes) would take minutes.
const OPTIONS = { algorithm: 2, memoryCost: 2048, timeCost: 1, parallelism: 1 } as const;

export const STATION_PASSWORD_RULES = 'entre 16 et 40 caractères';

export function stationPasswordProblem(password: string): string | null {
  return password.length < 16 || password.length > 40 ? `Mot de passe de borne invalide : ${STATION_PASSWORD_RULES}.` : null;
}

export function hashStationPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * Verifies a station's Basic-auth password. A station reconnects often (network drops, restarts): once a
 * password has matched a stored hash, a keyed digest of the pair is remembered in memory so that the next
 * upgrades skip argon2; a changed hash in the database no longer matches the remembered pair.
 */
export class StationPasswordVerifier {
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, string>();

  async verify(storedHash: string, password: Buffer): Promise<boolean> {
    const digest = createHmac('sha256', this.key).update(storedHash).update('\0').update(password).digest('base64');
    if (this.verified.get(storedHash) === digest) return true;
    let ok = false;
    try {
      ok = await verify(storedHash, password);
    } catch {
      ok = false;
    }
    if (ok) this.verified.set(storedHash, digest);
    return ok;
  }
}
