import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { requestIdSchema } from './ids.js';

/** One reason of a decision as the audit log keeps it (AUD-01). */
export const auditReasonSchema = z
  .object({ rule: z.string(), code: z.string(), message: z.string() })
  .readonly();

/**
 * AUD-01: what happened, by whom, to what, when, and what was decided with its reasons.
 * Never holds a secret (AUD-02): passcodes, PUKs, keys and one-time codes stay out.
 */
export const auditEventSchema = z
  .object({
    at: isoDateTimeSchema,
    actor: z.string().min(1),
    activity: z.string().min(1),
    target: z.string(),
    outcome: z.enum(['allowed', 'denied', 'failed', 'compensated']),
    reasons: z.array(auditReasonSchema).readonly(),
    requestId: requestIdSchema.optional(),
    details: z.record(z.string(), z.unknown()).readonly().default({}),
  })
  .readonly();
/** An audit event before the log chains it. */
export type AuditEvent = z.infer<typeof auditEventSchema>;
