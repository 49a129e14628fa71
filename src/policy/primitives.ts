/*
 * The field formats the policy's input schemas are made of, written with `zod/mini` so that
 * `careid/policy` bundles for the browser without zod's classic API (the classic schemas
 * of `src/domain` would pull all of it in: 93% of a 103 KB gzipped bundle). They accept
 * exactly what the domain's schemas accept, with the same messages and brands;
 * test/policy/primitives.test.ts checks that on generated values.
 */
import * as z from 'zod/mini';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A calendar date, `YYYY-MM-DD` (as the domain's `isoDateSchema`). */
export const isoDate = z
  .string()
  .check(z.refine(isCalendarDate, { message: 'must be a calendar date written YYYY-MM-DD' }))
  .brand<'IsoDate'>();

/** An instant in UTC with a `Z` offset, normalised to milliseconds (as `isoDateTimeSchema`). */
export const isoDateTime = z
  .pipe(
    z.iso.datetime({ offset: false }),
    z.transform((text: string) => new Date(text).toISOString()),
  )
  .brand<'IsoDateTime'>();

/** An ODS code, trimmed and upper-cased (as `odsCodeSchema`). */
export const odsCode = z
  .pipe(
    z.pipe(
      z.string(),
      z.transform((raw: string) => raw.trim().toUpperCase()),
    ),
    z
      .string()
      .check(
        z.regex(/^[A-Z0-9]{3,8}$/, { message: 'must be an ODS code of 3 to 8 letters or digits' }),
      ),
  )
  .brand<'OdsCode'>();

const idText = z
  .string()
  .check(
    z.minLength(1, { message: 'must not be empty' }),
    z.maxLength(64, { message: 'must be at most 64 characters' }),
    z.regex(/^[A-Za-z0-9._:-]+$/, { message: 'may hold only letters, digits and . _ : -' }),
  );

/** A position's identifier (as `positionIdSchema`). */
export const positionId = idText.brand<'PositionId'>();
/** A request's identifier (as `requestIdSchema`). */
export const requestId = idText.brand<'RequestId'>();

/** ID-05: a 12-digit UUID (as `uuidSchema`). */
export const uuid = z
  .string()
  .check(z.regex(/^\d{12}$/, { message: 'must be a UUID of exactly 12 digits (ID-05)' }))
  .brand<'Uuid'>();

/** An RBAC activity code, B and four digits (as `activityCodeSchema`). */
export const activityCode = z
  .string()
  .check(
    z.regex(/^B\d{4}$/, { message: 'must be an activity code: B and four digits, e.g. B1300' }),
  )
  .brand<'ActivityCode'>();

/** A card's serial number (as `cardSerialSchema`). */
export const cardSerial = z
  .string()
  .check(z.regex(/^\d{8,20}$/, { message: 'must be the card serial: 8 to 20 digits' }))
  .brand<'CardSerial'>();

/** A card's states (as the domain's `cardStatuses`). */
export const cardStatusList = ['stock', 'issued', 'locked', 'needs-repair', 'cancelled'] as const;

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date, so date checks compare integers.
 *
 * @example
 * ```ts
 * dayNumber('1970-01-02') // 1
 * ```
 */
export function dayNumber(date: string): number {
  return Math.floor(
    Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000,
  );
}
