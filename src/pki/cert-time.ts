import { Tag } from './der-writer.js';

/** First year written as GeneralizedTime in certificates and CRLs (RFC 5280 §4.1.2.5). */
export const GENERALIZED_TIME_FROM_YEAR = 2050;

const MS_PER_DAY = 86_400_000;

function put2(out: Uint8Array, o: number, n: number): void {
  out[o] = 0x30 + Math.floor(n / 10);
  out[o + 1] = 0x30 + (n % 10);
}

/**
 * Writes a Time at `offset` of `out` (length must be reserved: 15 or 17 bytes) and returns
 * the next offset. UTCTime YYMMDDHHMMSSZ up to 2049, GeneralizedTime YYYYMMDDHHMMSSZ from
 * 2050 (RFC 5280 §4.1.2.5.1 and §4.1.2.5.2); seconds always present, no fractions.
 */
export function writeTime(out: Uint8Array, offset: number, d: Date, generalized = false): number {
  const year = d.getUTCFullYear();
  const g = generalized || year >= GENERALIZED_TIME_FROM_YEAR;
  let o = offset;
  out[o++] = g ? Tag.GENERALIZED_TIME : Tag.UTC_TIME;
  out[o++] = g ? 15 : 13;
  if (g) {
    put2(out, o, Math.floor(year / 100));
    o += 2;
  }
  put2(out, o, year % 100);
  put2(out, o + 2, d.getUTCMonth() + 1);
  put2(out, o + 4, d.getUTCDate());
  put2(out, o + 6, d.getUTCHours());
  put2(out, o + 8, d.getUTCMinutes());
  put2(out, o + 10, d.getUTCSeconds());
  out[o + 12] = 0x5a; // 'Z'
  return o + 13;
}

/** Encoded size of a certificate/CRL Time for `d`. */
export function timeLength(d: Date): number {
  return d.getUTCFullYear() >= GENERALIZED_TIME_FROM_YEAR ? 17 : 15;
}

/** A certificate/CRL Time element for `d` (UTCTime before 2050, GeneralizedTime after). */
export function encodeTime(d: Date): Uint8Array {
  const out = new Uint8Array(timeLength(d));
  writeTime(out, 0, d);
  return out;
}

/** A GeneralizedTime element, as OCSP always uses (RFC 6960 §4.2.1). */
export function encodeGeneralizedTime(d: Date): Uint8Array {
  const out = new Uint8Array(17);
  writeTime(out, 0, d, true);
  return out;
}

/** `d` with its milliseconds dropped: certificates carry whole seconds only. */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** `d` plus `days` whole days. */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * MS_PER_DAY);
}
