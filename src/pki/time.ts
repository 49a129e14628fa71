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

/** The text of a Time (`YYMMDDHHMMSSZ` or `YYYYMMDDHHMMSSZ`), as the CRL writer lays it down. */
export function timeText(d: Date, generalized: boolean): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return generalized ? digits : digits.slice(2);
}

const UTC_FORM = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_FORM = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The instant a Time's text names, in the RFC 5280 §4.1.2.5 form only; UTCTime years
 * 50..99 are 19xx (§4.1.2.5.1).
 *
 * @throws PKI_MALFORMED when the text is not of that form or names an impossible date.
 */
export function timeFromText(text: string, utc: boolean, what: string): Date {
  const m = (utc ? UTC_FORM : GENERALIZED_FORM).exec(text);
  if (m === null) throw malformed(what, 'time not in the RFC 5280 form');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fullYear = utc ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const d = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
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
  if (fullYear < 100) d.setUTCFullYear(fullYear);
  return d;
}

const latin1 = new TextDecoder('latin1');

/**
 * Reads an asn1js UTCTime or GeneralizedTime strictly (see {@link timeFromText}); asn1js
 * itself accepts fractions, offsets and missing seconds.
 *
 * @throws PKI_MALFORMED when the element is not a Time of that form.
 */
export function readTime(block: unknown, what: string): Date {
  // asn1js's GeneralizedTime extends its UTCTime: ask for the narrower class first.
  if (block instanceof asn1js.GeneralizedTime) {
    return timeFromText(latin1.decode(block.valueBlock.valueHexView), false, what);
  }
  if (block instanceof asn1js.UTCTime) {
    return timeFromText(latin1.decode(block.valueBlock.valueHexView), true, what);
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
