import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { requestIdSchema } from './ids.js';
import { odsCodeSchema } from './ods-code.js';
import { uuidSchema } from './uuid.js';

/**
 * REQ-01: the kinds of request. `sponsor-activity` carries the other sponsor `*` routes
 * (change details, close, reopen) that an RA agent accepts.
 */
export const requestKinds = [
  'esr-create-user',
  'esr-modify-user',
  'sponsor-create-user',
  'sponsor-activity',
  'position-change',
  'position-assignment',
] as const;
/** A kind of request. */
export type RequestKind = (typeof requestKinds)[number];

/** Open requests can be reviewed; the others are closed (REQ-04 keeps them listed 30 days). */
export const requestStates = ['open', 'accepted', 'rejected', 'withdrawn', 'closed'] as const;
/** A request's state. */
export type RequestState = (typeof requestStates)[number];

/** Who raised a request: a user, or the ESR feed. */
export const requesterSchema = z.union([uuidSchema, z.literal('ESR')]);

/** A request awaiting, or past, an RA decision (REQ-01..REQ-04). */
export const requestSchema = z
  .object({
    id: requestIdSchema,
    kind: z.enum(requestKinds),
    state: z.enum(requestStates),
    requestedBy: requesterSchema,
    /** The user the request is about, once known. */
    subject: uuidSchema.optional(),
    organisation: odsCodeSchema,
    /** The command or change the request carries, as plain JSON. */
    payload: z.record(z.string(), z.unknown()).readonly(),
    reason: z.string().trim().max(1000).optional(),
    createdAt: isoDateTimeSchema,
    /** REQ-02: opening a request for review locks it to the reviewer for 15 minutes. */
    lock: z.object({ by: uuidSchema, until: isoDateTimeSchema }).readonly().optional(),
    decision: z
      .object({
        by: uuidSchema,
        at: isoDateTimeSchema,
        outcome: z.enum(['accepted', 'rejected', 'withdrawn', 'closed']),
        reason: z.string().trim().min(1).max(1000).optional(),
      })
      .readonly()
      .optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A request. */
export type Request = z.infer<typeof requestSchema>;
