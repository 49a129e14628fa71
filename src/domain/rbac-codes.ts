import { z } from 'zod';

/** A national RBAC job role code, `R` and four digits (POS-01). */
export const jobRoleCodeSchema = z
  .string()
  .regex(/^R\d{4}$/, { message: 'must be a job role code: R and four digits, e.g. R8000' })
  .brand<'JobRoleCode'>();
/** A national RBAC job role code. */
export type JobRoleCode = z.infer<typeof jobRoleCodeSchema>;

/** A national RBAC activity code, `B` and four digits (POS-01). */
export const activityCodeSchema = z
  .string()
  .regex(/^B\d{4}$/, { message: 'must be an activity code: B and four digits, e.g. B1300' })
  .brand<'ActivityCode'>();
/** A national RBAC activity code. */
export type ActivityCode = z.infer<typeof activityCodeSchema>;

/** ROLE-01: the sponsor activity; only positions with it carry an assignable list (POS-01). */
export const SPONSOR_ACTIVITY_CODE = 'B1300' as ActivityCode;
