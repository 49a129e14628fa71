import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { positionIdSchema, workgroupIdSchema } from './ids.js';
import { odsCodeSchema } from './ods-code.js';
import { activityCodeSchema, jobRoleCodeSchema, SPONSOR_ACTIVITY_CODE } from './rbac-codes.js';
import { uuidSchema } from './uuid.js';

const text = z.string().trim().min(1, { message: 'must not be empty' }).max(500);

/** POS-02: how a position was approved and who was involved. */
export const positionApprovalSchema = z
  .object({
    method: z.enum(['local-policy', 'position-change-request', 'information-governance', 'other']),
    approvedBy: z.array(uuidSchema).min(1, { message: 'name at least one approver (POS-02)' }),
    notes: text.optional(),
    at: isoDateTimeSchema,
  })
  .readonly();
/** How a position was approved. */
export type PositionApproval = z.infer<typeof positionApprovalSchema>;

/**
 * POS-01: a position belongs to one organisation and carries a job role (R code),
 * activities (B codes) and workgroups. Only a position with B1300 can carry an assignable
 * list (the positions its holder may assign as a sponsor).
 */
export const positionSchema = z
  .object({
    id: positionIdSchema,
    name: text,
    organisation: odsCodeSchema,
    jobRole: jobRoleCodeSchema,
    activities: z.array(activityCodeSchema).readonly(),
    workgroups: z.array(workgroupIdSchema).readonly().default([]),
    assignable: z.array(positionIdSchema).readonly().default([]),
    approval: positionApprovalSchema,
    status: z.enum(['open', 'closed']),
    closedAt: isoDateTimeSchema.optional(),
    version: z.number().int().nonnegative(),
  })
  .refine((p) => p.assignable.length === 0 || p.activities.includes(SPONSOR_ACTIVITY_CODE), {
    message: 'only a position that includes B1300 (sponsor) can carry an assignable list (POS-01)',
    path: ['assignable'],
  })
  .refine((p) => new Set(p.activities).size === p.activities.length, {
    message: 'lists an activity code twice',
    path: ['activities'],
  })
  .readonly();
/** A position. */
export type Position = z.infer<typeof positionSchema>;
