import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDateSchema, isoDateTimeSchema } from '../../src/domain/dates.js';
import { positionIdSchema, requestIdSchema } from '../../src/domain/ids.js';
import { odsCodeSchema } from '../../src/domain/ods-code.js';
import { activityCodeSchema } from '../../src/domain/rbac-codes.js';
import { cardSerialSchema, cardStatuses } from '../../src/domain/smartcard.js';
import { uuidSchema } from '../../src/domain/uuid.js';
import {
  activityCode,
  cardSerial,
  cardStatusList,
  isoDate,
  isoDateTime,
  odsCode,
  positionId,
  requestId,
  uuid,
} from '../../src/policy/primitives.js';

/** Strings near each format, and anything else, so both acceptance and refusal are compared. */
const candidates = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\s?[a-zA-Z0-9]{2,9}\s?$/),
  fc.stringMatching(/^[RB0-9]\d{3,5}$/),
  fc.stringMatching(/^\d{6,22}$/),
  fc.stringMatching(/^[A-Za-z0-9._:-]{0,70}$/),
  fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('.000Z', 'Z')),
  fc.anything(),
);

const pairs = [
  ['isoDate', isoDate, isoDateSchema],
  ['isoDateTime', isoDateTime, isoDateTimeSchema],
  ['odsCode', odsCode, odsCodeSchema],
  ['positionId', positionId, positionIdSchema],
  ['requestId', requestId, requestIdSchema],
  ['uuid', uuid, uuidSchema],
  ['activityCode', activityCode, activityCodeSchema],
  ['cardSerial', cardSerial, cardSerialSchema],
] as const;

/** The outcome of a parse as plain data: the value, or the messages. */
function outcome(schema: { safeParse(input: unknown): unknown }, input: unknown): unknown {
  const r = schema.safeParse(input) as
    | { success: true; data: unknown }
    | { success: false; error: { issues: { message: string }[] } };
  return r.success ? { data: r.data } : { messages: r.error.issues.map((i) => i.message) };
}

describe("the policy's zod/mini field formats accept exactly what the domain's schemas accept", () => {
  for (const [name, mini, classic] of pairs) {
    it(`${name}: the same value or the same messages, on generated input`, () => {
      fc.assert(
        fc.property(candidates, (input) => {
          expect(outcome(mini, input)).toEqual(outcome(classic, input));
        }),
        { numRuns: 3000 },
      );
    });
  }

  it('the card states are the domain card states', () => {
    expect(cardStatusList).toEqual(cardStatuses);
  });
});
