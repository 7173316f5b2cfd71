import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A time-sortable, unguessable id: `<prefix>_` + 10 characters of millisecond time and 16 of
 * randomness (80 bits), both Crockford base32 (the ULID layout). Sorting ids sorts by creation time.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(10);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    // 10 bytes = 80 bits = 16 five-bit groups
    const bit = i * 5;
    const byte = bit >> 3;
    const value = (((random[byte] ?? 0) << 8) | (random[byte + 1] ?? 0)) >> (11 - (bit & 7));
    rand += CROCKFORD[value & 31];
  }
  return `${prefix}_${time}${rand}`;
}

/** A deterministic id derived from its parts, so the same inputs always name the same thing. */
export function derivedId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  return `${prefix}_${digest.slice(0, 26)}`;
}
