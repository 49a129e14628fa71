import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { authenticatorIdSchema } from './ids.js';
import { uuidSchema } from './uuid.js';

/** AUTH-01: the five kinds of non-smartcard authenticator. */
export const authenticatorKinds = [
  'ipad',
  'ms-authenticator',
  'security-key',
  'windows-hello',
  'nhsnet-connect',
] as const;
/** A kind of non-smartcard authenticator. */
export type AuthenticatorKind = (typeof authenticatorKinds)[number];

/** A non-smartcard authenticator on a profile, self-registered (AUTH-01) or RA-managed (AUTH-02). */
export const authenticatorSchema = z
  .object({
    id: authenticatorIdSchema,
    user: uuidSchema,
    kind: z.enum(authenticatorKinds),
    label: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    route: z.enum(['self', 'ra']),
    registeredBy: uuidSchema,
    registeredAt: isoDateTimeSchema,
    removed: z.object({ at: isoDateTimeSchema, by: uuidSchema }).readonly().optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A non-smartcard authenticator. */
export type Authenticator = z.infer<typeof authenticatorSchema>;
