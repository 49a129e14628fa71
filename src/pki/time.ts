import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { malformed } from './pki-error.js';

/**
 * Times as RFC 5280 §4.1.2.5 wants them: UTCTime through 2049, GeneralizedTime from 2050,
 * always `Z`, seconds present, no fractions. PKI.js writes whichever type it is told, so
 * careid chooses by the date.
 */

/** First year written as GeneralizedTime in certificates and CRLs (RFC 5280 §4.1.2.5). */
const GENERALIZED_TIME_FROM_YEAR = 2050;

const MS_PER_DAY = 86_400_000;

/** Whether `d` must be written as GeneralizedTime in a certificate or CRL. */
export function needsGeneralizedTime(d: Date): boolean {
  return d.getUTCFullYear() >= GENERALIZED_TIME_FROM_YEAR;
}

/** A certificate/CRL Time for `d`: UTCTime through 2049, GeneralizedTime from 2050. */
export function certificateTime(d: Date): pkijs.Time {
  return new pkijs.Time({
    type: needsGeneralizedTime(d) ? pkijs.TimeType.GeneralizedTime : pkijs.TimeType.UTCTime,
    value: d,
  });
}

const DIGIT_0 = 0x30;
const LETTER_Z = 0x5a;

/** The decimal number of `count` ASCII digits at `at`. */
function digitsAt(octets: Uint8Array, at: number, count: number, what: string): number {
  let v = 0;
  for (let k = at; k < at + count; k++) {
    const d = octets[k]! - DIGIT_0;
    if (d < 0 || d > 9) throw malformed(what, 'time not in the RFC 5280 form');
    v = v * 10 + d;
  }
  return v;
}

/**
 * The instant a Time's content octets name, in the RFC 5280 §4.1.2.5 form only
 * (`YYMMDDHHMMSSZ` or `YYYYMMDDHHMMSSZ`); UTCTime years 50..99 are 19xx (§4.1.2.5.1).
 *
 * @throws PKI_MALFORMED when the octets are not of that form or name an impossible date.
 */
export function timeFromDigits(octets: Uint8Array, utc: boolean, what: string): Date {
  const yearDigits = utc ? 2 : 4;
  if (octets.length !== yearDigits + 11 || octets[octets.length - 1] !== LETTER_Z) {
    throw malformed(what, 'time not in the RFC 5280 form');
  }
  const y = digitsAt(octets, 0, yearDigits, what);
  const year = utc ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  const month = digitsAt(octets, yearDigits, 2, what);
  const day = digitsAt(octets, yearDigits + 2, 2, what);
  const hour = digitsAt(octets, yearDigits + 4, 2, what);
  const minute = digitsAt(octets, yearDigits + 6, 2, what);
  const second = digitsAt(octets, yearDigits + 8, 2, what);
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (year < 100) d.setUTCFullYear(year);
  if (
    month < 1 ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw malformed(what, 'impossible date');
  }
  return d;
}

/**
 * Reads an asn1js UTCTime or GeneralizedTime strictly (see {@link timeFromDigits}); asn1js
 * itself accepts fractions, offsets and missing seconds.
 *
 * @throws PKI_MALFORMED when the element is not a Time of that form.
 */
export function readTime(block: unknown, what: string): Date {
  // asn1js's GeneralizedTime extends its UTCTime: ask for the narrower class first.
  if (block instanceof asn1js.GeneralizedTime) {
    return timeFromDigits(block.valueBlock.valueHexView, false, what);
  }
  if (block instanceof asn1js.UTCTime) {
    return timeFromDigits(block.valueBlock.valueHexView, true, what);
  }
  throw malformed(what, 'expected a UTCTime or GeneralizedTime');
}

/** `d` with its milliseconds dropped: certificates carry whole seconds only. */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** `d` plus `days` whole days. */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * MS_PER_DAY);
}
