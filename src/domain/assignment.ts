import { z } from 'zod';
import { type IsoDate, isoDateSchema, isoDateTimeSchema } from './dates.js';
import { assignmentIdSchema, positionIdSchema, workgroupIdSchema } from './ids.js';
import { odsCodeSchema } from './ods-code.js';
import { uuidSchema } from './uuid.js';

/** ASG-01: a start, an optional (exclusive) end; ASG-04: removal is recorded, never erased. */
const datedFields = {
  id: assignmentIdSchema,
  user: uuidSchema,
  start: isoDateSchema,
  end: isoDateSchema.optional(),
  removed: z.object({ at: isoDateTimeSchema, by: uuidSchema }).readonly().optional(),
  createdBy: uuidSchema,
  version: z.number().int().nonnegative(),
};

const endAfterStart = (a: { start: IsoDate; end?: IsoDate | undefined }) =>
  a.end === undefined || a.end > a.start;
const endAfterStartIssue = { message: 'the end date must be after the start date', path: ['end'] };

/** A position assigned to a user for a period. */
export const positionAssignmentSchema = z
  .object({
    ...datedFields,
    position: positionIdSchema,
    /** The position's organisation, kept here so scope checks need no join. */
    organisation: odsCodeSchema,
    /** CARD-03: a locum's assignment grants no unlock right at that organisation. */
    locum: z.boolean().default(false),
  })
  .refine(endAfterStart, endAfterStartIssue)
  .readonly();
/** A position assignment. */
export type PositionAssignment = z.infer<typeof positionAssignmentSchema>;

/** A workgroup assigned to a user for a period (WG-01). */
export const workgroupAssignmentSchema = z
  .object({ ...datedFields, workgroup: workgroupIdSchema })
  .refine(endAfterStart, endAfterStartIssue)
  .readonly();
/** A workgroup assignment. */
export type WorkgroupAssignment = z.infer<typeof workgroupAssignmentSchema>;

/** The dates of an assignment; what `isActiveOn` reads. */
export interface DatedAssignment {
  readonly start: IsoDate;
  readonly end?: IsoDate | undefined;
  readonly removed?: unknown;
}

/**
 * ROLE-02 / ASG-02: whether an assignment is in force on `date` (start <= date < end, not
 * removed). Decided at read time, so nothing has to sweep lapsed assignments.
 *
 * @example
 * ```ts
 * isActiveOn(assignment, '2026-11-22' as IsoDate)
 * ```
 */
export function isActiveOn(assignment: DatedAssignment, date: IsoDate): boolean {
  return (
    assignment.removed === undefined &&
    assignment.start <= date &&
    (assignment.end === undefined || date < assignment.end)
  );
}
