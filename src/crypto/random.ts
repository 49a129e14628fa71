/**
 * Randomness from Web Crypto (`globalThis.crypto`, on every supported Node and in
 * browsers), so nothing careid's root reaches imports Node's `crypto`.
 */

/** 2^48: the random integers below are drawn from 48 random bits. */
const SPAN = 2 ** 48;

/**
 * `length` random bytes from the system CSPRNG.
 *
 * @example
 * ```ts
 * const key = randomBytes(32);
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes a call.
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/**
 * A uniform random integer in `[0, max)` for `max` up to 2^48, from the system CSPRNG.
 * Rejection sampling keeps it uniform: draws at or above the largest multiple of `max` are
 * drawn again.
 *
 * @throws RangeError when `max` is not an integer from 1 to 2^48 (a bug in the caller).
 * @example
 * ```ts
 * const digit = randomInt(10);
 * ```
 */
export function randomInt(max: number): number {
  if (!Number.isInteger(max) || max < 1 || max > SPAN) {
    throw new RangeError(`max must be an integer from 1 to 2^48, not ${max}`);
  }
  const limit = SPAN - (SPAN % max);
  for (;;) {
    const value = (nextWord() & 0xffff) * 2 ** 32 + nextWord();
    if (value < limit) return value % max;
  }
}

/*
 * Words drawn from the CSPRNG 1,024 at a time (as Node's own randomUUID keeps a cache of
 * random bytes): one getRandomValues call cost 3 to 5 µs whatever its size, 2.7 % of a
 * `user.create` on SQLite (CPU profile, bench/ra), drawing one UUID.
 */
const pool = new Uint32Array(1024);
let next = pool.length;

/** The next unused random 32-bit word of the pool, refilled from the CSPRNG when spent. */
function nextWord(): number {
  if (next === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    next = 0;
  }
  const word = pool[next]!;
  // A word is used once: cleared, so what was drawn is not left lying in memory.
  pool[next++] = 0;
  return word;
}

/**
 * `count` uniform random decimal digits (a PUK, a one-time code).
 *
 * @example
 * ```ts
 * const puk = randomDigits(8); // '40718263'
 * ```
 */
export function randomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(randomInt(10));
  return digits;
}
