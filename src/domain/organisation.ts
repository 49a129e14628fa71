import { z } from 'zod';
import { odsCodeSchema } from './ods-code.js';

/** The kinds of organisation an RA serves (ROLE-02 scopes roles down this hierarchy). */
export const organisationKinds = ['icb', 'trust', 'practice', 'pharmacy', 'other'] as const;
/** The kind of an organisation. */
export type OrganisationKind = (typeof organisationKinds)[number];

/** An organisation in the hierarchy: an ICB above its practices and pharmacies. */
export const organisationSchema = z
  .object({
    odsCode: odsCodeSchema,
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    kind: z.enum(organisationKinds),
    /** The organisation directly above, or absent for a root. */
    parent: odsCodeSchema.optional(),
    status: z.enum(['open', 'closed']).default('open'),
  })
  .refine((o) => o.parent !== o.odsCode, {
    message: 'an organisation cannot be its own parent',
    path: ['parent'],
  })
  .readonly();

/** An organisation record. */
export type Organisation = z.infer<typeof organisationSchema>;
