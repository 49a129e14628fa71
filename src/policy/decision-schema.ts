import * as z from 'zod/mini';
import { activitySchema } from './input.js';
import { raRoles } from './roles.js';

/*
 * What `explain` and `assertAllowed` read of a decision, checked where a host hands one
 * back (it may have come over a wire as JSON): a decision that is not one is a
 * ValidationError, not a TypeError from deep inside.
 */
const role = z.enum(raRoles);
const route = z.enum(['direct', 'via-request']);

/** A decision as `explain` and `assertAllowed` read it. */
export const decisionSchema = z.object({
  allowed: z.boolean(),
  activity: activitySchema,
  route: z.nullable(route),
  reasons: z.array(
    z.object({
      rule: z.string(),
      code: z.string(),
      message: z.string(),
    }),
  ),
  wouldGrant: z.array(z.object({ role, organisation: z.optional(z.string()), route })),
});

/** An array of RA roles (ROLE-01). */
export const roleListSchema = z.array(role);

/** The codes of a position that confer RA roles (ROLE-01). */
export const positionCodesSchema = z.object({
  jobRole: z.string(),
  activities: z.array(z.string()),
});
