/**
 * A set of 53-bit fingerprints of strings in one Float64Array: 8 bytes a slot instead of a string and a
 * hash-table entry, so that the building ids of a file of millions of rows fit in a few tens of MB.
 * Equal strings always collide; distinct ones almost never do, so a hit is only a suspicion to confirm.
 */
export class FingerprintSet {
  private slots = new Float64Array(1 << 18);
  private size = 0;

  /** Adds the string's fingerprint; false when it was already there. */
  add(value: string): boolean {
    const fp = fingerprint(value);
    if (this.size * 2 >= this.slots.length) this.grow();
    return this.insert(this.slots, fp);
  }

  private insert(slots: Float64Array, fp: number): boolean {
    const mask = slots.length - 1;
    // fp | 0 is the low 32 bits of the fingerprint (ToInt32 is exact modulo 2^32).
    for (let i = (fp | 0) & mask; ; i = (i + 1) & mask) {
      const slot = slots[i]!;
      if (slot === 0) {
        slots[i] = fp;
        this.size += 1;
        return true;
      }
      if (slot === fp) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.size = 0;
    for (const fp of old) if (fp !== 0) this.insert(this.slots, fp);
  }
}

/** Two 32-bit multiplicative hashes (FNV-1a and a MurmurHash multiplier), joined into a non-zero integer below 2^53. */
function fingerprint(value: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return ((b >>> 11) * 0x100000000 + (a >>> 0)) || 1;
}
