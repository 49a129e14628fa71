import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { workgroupIdSchema } from './ids.js';
import { odsCodeSchema } from './ods-code.js';
import { uuidSchema } from './uuid.js';

/** WG-01: a workgroup; closing it needs an explicit confirmation and records its approval. */
export const workgroupSchema = z
  .object({
    id: workgroupIdSchema,
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    organisation: odsCodeSchema,
    status: z.enum(['open', 'closed']),
    closed: z
      .object({
        at: isoDateTimeSchema,
        by: uuidSchema,
        approval: z
          .string()
          .trim()
          .min(1, { message: 'record how the closure was approved (WG-01)' }),
      })
      .readonly()
      .optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A workgroup. */
export type Workgroup = z.infer<typeof workgroupSchema>;
