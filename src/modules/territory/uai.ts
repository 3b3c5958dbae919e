/** The 23 check letters of a UAI (school identifier of the Éducation nationale): no I, O nor Q. */
const UAI_KEYS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

/**
 * A UAI is 7 digits and a check letter, the letter being the number modulo 23; its first three digits
 * name the département (078, 092). Returns what is wrong, or null.
 */
export function uaiProblem(uai: string, departements: readonly string[]): string | null {
  const match = /^(\d{7})([A-Z])$/.exec(uai);
  if (!match) return 'un code UAI est formé de 7 chiffres et d’une lettre (ex. 0780422K)';
  const expected = UAI_KEYS[Number(match[1]) % 23];
  if (match[2] !== expected) return `lettre de contrôle incorrecte (attendue : ${expected})`;
  const dep = uai.slice(1, 3);
  if (uai[0] !== '0' || !departements.includes(dep)) return `ce code UAI n'appartient pas aux départements ${departements.join(' et ')}`;
  return null;
}
