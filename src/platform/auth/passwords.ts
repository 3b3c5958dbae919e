import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's second recommended setting (19 MiB, 2 passes): about 30 ms per hash here.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verified against when the e-mail is unknown, so that an unknown account costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hashPassword('not-a-real-account-password');
    await verify(await dummyHash, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

export const PASSWORD_RULES = 'au moins 12 caractères, dont au moins trois types parmi minuscules, majuscules, chiffres et symboles';

/** Returns what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 12) return `Mot de passe trop court : ${PASSWORD_RULES}.`;
  if (password.length > 128) return 'Mot de passe trop long : 128 caractères au plus.';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return `Mot de passe trop simple : ${PASSWORD_RULES}.`;
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local)) return "Le mot de passe ne doit pas contenir l'identifiant.";
  return null;
}
