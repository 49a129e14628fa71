import { z } from 'zod';

const idText = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })
  .regex(/^[A-Za-z0-9._:-]+$/, { message: 'may hold only letters, digits and . _ : -' });

/** Identifier of a position. */
export const positionIdSchema = idText.brand<'PositionId'>();
/** Identifier of a position. */
export type PositionId = z.infer<typeof positionIdSchema>;
/** Identifier of a workgroup. */
export const workgroupIdSchema = idText.brand<'WorkgroupId'>();
/** Identifier of a workgroup. */
export type WorkgroupId = z.infer<typeof workgroupIdSchema>;
/** Identifier of a position or workgroup assignment. */
export const assignmentIdSchema = idText.brand<'AssignmentId'>();
/** Identifier of a position or workgroup assignment. */
export type AssignmentId = z.infer<typeof assignmentIdSchema>;
/** Identifier of a request. */
export const requestIdSchema = idText.brand<'RequestId'>();
/** Identifier of a request. */
export type RequestId = z.infer<typeof requestIdSchema>;
/** Identifier of a non-smartcard authenticator. */
export const authenticatorIdSchema = idText.brand<'AuthenticatorId'>();
/** Identifier of a non-smartcard authenticator. */
export type AuthenticatorId = z.infer<typeof authenticatorIdSchema>;

/**
 * A fresh identifier for a record other than a user (users get 12-digit UUIDs, ID-05).
 *
 * @example
 * ```ts
 * const id = newId<PositionId>('pos'); // 'pos_6f1c…'
 * ```
 */
export function newId<T extends string>(prefix: string): T {
  // Web Crypto (`globalThis.crypto`, on Node 20 and in browsers), so nothing here needs Node.
  return `${prefix}_${globalThis.crypto.randomUUID().replaceAll('-', '')}` as T;
}
