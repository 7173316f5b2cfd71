import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A time-sortable, unguessable id: `<prefix>_` + 10 characters of millisecond time and 16 of
 * randomness (80 bits), both Crockford base32 (the ULID layout). Sorting ids sorts by creation time.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${encodeBytes(randomBytes(10))}`;
}

/**
 * A deterministic id in the same time-sortable layout: the time part from `time` (epoch ms), the
 * rest from a hash of `parts`. The same inputs always give the same id, and ids sort by `time`.
 */
export function derivedTimeId(prefix: string, time: number, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return `${prefix}_${encodeTime(time)}${encodeBytes(digest.subarray(0, 10))}`;
}

/** The leading part every id of `prefix` made at `epochMs` shares: bounds for a time-range query. */
export function idTimePrefix(prefix: string, epochMs: number): string {
  return `${prefix}_${encodeTime(epochMs)}`;
}

/** 10 Crockford base32 characters of a millisecond timestamp (clamped to the ULID range). */
function encodeTime(epochMs: number): string {
  let t = Number.isFinite(epochMs) ? Math.max(0, Math.floor(epochMs)) : 0;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** 16 Crockford base32 characters of 10 bytes (80 bits = 16 five-bit groups). */
function encodeBytes(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < 16; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    const value = (((bytes[byte] ?? 0) << 8) | (bytes[byte + 1] ?? 0)) >> (11 - (bit & 7));
    text += CROCKFORD[value & 31];
  }
  return text;
}

/** A deterministic id derived from its parts, so the same inputs always name the same thing. */
export function derivedId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('base64url');
  return `${prefix}_${digest.slice(0, 26)}`;
}

/** Longest id a path may name. Every id the stack makes is a prefix and 26 characters. */
export const MAX_ID_LENGTH = 128;

/**
 * Whether `value` could be an id this stack made (letters, digits, `_` and `-`, at most
 * MAX_ID_LENGTH). Anything else names nothing, and is refused before it reaches a DynamoDB key.
 */
export function isWellFormedId(value: string): boolean {
  return value.length > 0 && value.length <= MAX_ID_LENGTH && /^[A-Za-z0-9_-]+$/.test(value);
}
