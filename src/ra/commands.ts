import { z } from 'zod';
import { authenticatorKinds } from '../domain/authenticator.js';
import { isoDateSchema } from '../domain/dates.js';
import { identityDocumentSchema } from '../domain/identity-check.js';
import {
  assignmentIdSchema,
  authenticatorIdSchema,
  positionIdSchema,
  requestIdSchema,
  workgroupIdSchema,
} from '../domain/ids.js';
import { niNumberSchema } from '../domain/ni-number.js';
import { odsCodeSchema } from '../domain/ods-code.js';
import { activityCodeSchema, jobRoleCodeSchema } from '../domain/rbac-codes.js';
import { contactDetailsSchema, mobileSchema, personNameSchema } from '../domain/user.js';
import { uuidSchema } from '../domain/uuid.js';
import { webAuthnKinds } from '../domain/webauthn-credential.js';

const reason = z.string().trim().min(1, { message: 'must give a reason' }).max(1000);

const endAfterStart = (c: { readonly start: string; readonly end?: string | undefined }) =>
  c.end === undefined || c.end > c.start;
const endAfterStartIssue = { message: 'the end date must be after the start date', path: ['end'] };

/** ASG-01: the fields that change an assignment's dates. */
const editDatesFields = {
  assignment: assignmentIdSchema,
  start: isoDateSchema.optional(),
  end: isoDateSchema.nullable().optional(),
};
const changesADate = (c: { readonly start?: unknown; readonly end?: unknown }) =>
  c.start !== undefined || c.end !== undefined;
const changesADateIssue = {
  message: 'change the start date, the end date, or both',
  path: ['end'],
};

/** ASG-01: the command that changes a position or workgroup assignment's dates. */
function editDatesCommand<T extends string>(type: T) {
  return z
    .object({ type: z.literal(type), ...editDatesFields })
    .refine(changesADate, changesADateIssue)
    .readonly();
}

/** ID-01/ID-02: the documents an RA agent saw and the photo taken (who and when are recorded). */
export const identityCheckInputSchema = z
  .object({
    documents: z.array(identityDocumentSchema).min(1).max(10),
    photo: z.string().trim().min(1, { message: 'record the photo reference (ID-01)' }).max(200),
  })
  .readonly();

/** ID-01..ID-06: create a profile with its identity check, at the organisation it is for. */
export const createUserCommandSchema = z
  .object({
    type: z.literal('user.create'),
    organisation: odsCodeSchema,
    name: personNameSchema,
    dateOfBirth: isoDateSchema,
    niNumber: niNumberSchema.optional(),
    contact: contactDetailsSchema.optional(),
    identityCheck: identityCheckInputSchema,
    /** SOD-01: the sponsor who approved the application, when there is one. */
    sponsoredBy: uuidSchema.optional(),
    /** ID-06: create although a possible duplicate exists, with the reason. */
    duplicateOverride: z.object({ reason }).readonly().optional(),
  })
  .readonly();

/** Assign a position to a user from a start date, optionally to an (exclusive) end date. */
export const assignPositionCommandSchema = z
  .object({
    type: z.literal('assignment.assign'),
    user: uuidSchema,
    position: positionIdSchema,
    start: isoDateSchema,
    end: isoDateSchema.optional(),
    /** CARD-03: the user works at the position's organisation as a locum. */
    locum: z.boolean().default(false),
  })
  .refine(endAfterStart, endAfterStartIssue)
  .readonly();

/** ASG-01: change an assignment's dates; `end: null` makes it open-ended. */
export const editAssignmentDatesCommandSchema = editDatesCommand('assignment.edit-dates');

/** ASG-04: remove an assignment (it stays in the history, marked removed). */
export const removeAssignmentCommandSchema = z
  .object({ type: z.literal('assignment.remove'), assignment: assignmentIdSchema })
  .readonly();

/** PROF-01: close a profile, with a reason, and everything it holds. */
export const closeUserCommandSchema = z
  .object({ type: z.literal('user.close'), user: uuidSchema, reason })
  .readonly();

/** PROF-03: change a user's personal details; a change of name needs a reason. */
export const changeDetailsCommandSchema = z
  .object({
    type: z.literal('user.change-details'),
    user: uuidSchema,
    name: personNameSchema.optional(),
    dateOfBirth: isoDateSchema.optional(),
    niNumber: niNumberSchema.optional(),
    reason: reason.optional(),
  })
  .refine((c) => c.name !== undefined || c.dateOfBirth !== undefined || c.niNumber !== undefined, {
    message: 'change the name, the date of birth or the NI number',
    path: ['name'],
  })
  .readonly();

/** PROF-02: reopen a closed profile (it comes back with no access). */
export const reopenUserCommandSchema = z
  .object({ type: z.literal('user.reopen'), user: uuidSchema, reason })
  .readonly();

/** PROF-04: the actor changes their own email or mobile. */
export const changeOwnContactCommandSchema = z
  .object({
    type: z.literal('user.change-own-contact'),
    email: z.email({ message: 'must be an email address' }).optional(),
    mobile: mobileSchema.optional(),
  })
  .refine((c) => c.email !== undefined || c.mobile !== undefined, {
    message: 'give an email address, a mobile number, or both',
    path: ['email'],
  })
  .readonly();

/** POS-02: how a position (or its copy) was approved, and who was involved. */
const positionApprovalInput = z
  .object({
    method: z.enum(['local-policy', 'position-change-request', 'information-governance', 'other']),
    approvedBy: z.array(uuidSchema).min(1, { message: 'name at least one approver (POS-02)' }),
    notes: z.string().trim().min(1).max(500).optional(),
  })
  .readonly();

/** POS-01/POS-02: create a position at an organisation, recording how it was approved. */
export const createPositionCommandSchema = z
  .object({
    type: z.literal('position.create'),
    organisation: odsCodeSchema,
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(500),
    jobRole: jobRoleCodeSchema,
    activities: z.array(activityCodeSchema).max(200).default([]),
    workgroups: z.array(workgroupIdSchema).max(200).default([]),
    /** The positions a sponsor position may assign (only with B1300, POS-01). */
    assignable: z.array(positionIdSchema).max(500).default([]),
    approval: positionApprovalInput,
  })
  .readonly();

/** POS-04: close a position; its assignments end. */
export const closePositionCommandSchema = z
  .object({ type: z.literal('position.close'), position: positionIdSchema, reason })
  .readonly();

/** POS-02: copy a position, under a new name (and organisation), recording its approval. */
export const copyPositionCommandSchema = z
  .object({
    type: z.literal('position.copy'),
    position: positionIdSchema,
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(500),
    /** Where the copy lives (default: the original's organisation). */
    organisation: odsCodeSchema.optional(),
    approval: positionApprovalInput,
  })
  .readonly();

/** POS-03: what a position change adds, removes or replaces. */
export const positionChangeSchema = z
  .object({
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(500).optional(),
    jobRole: jobRoleCodeSchema.optional(),
    addActivities: z.array(activityCodeSchema).max(200).default([]),
    removeActivities: z.array(activityCodeSchema).max(200).default([]),
    workgroups: z.array(workgroupIdSchema).max(200).optional(),
    /** A change that codes cannot say, in words. */
    description: z.string().trim().min(1).max(1000).optional(),
  })
  .refine(
    (c) =>
      c.name !== undefined ||
      c.jobRole !== undefined ||
      c.addActivities.length > 0 ||
      c.removeActivities.length > 0 ||
      c.workgroups !== undefined ||
      c.description !== undefined,
    {
      message: 'say what changes: a name, a job role, activities, workgroups or a description',
      path: ['addActivities'],
    },
  )
  .readonly();

/** POS-03: edit a position directly (RAM, RAA(A)); a sensitive activity needs IG approval. */
export const editPositionCommandSchema = z
  .object({
    type: z.literal('position.edit'),
    position: positionIdSchema,
    change: positionChangeSchema,
    /** POS-03: Information Governance approved the change (its reference). */
    igApproval: z.string().trim().min(1).max(200).optional(),
  })
  .readonly();

/** POS-01: set a sponsor position's assignable list (only positions with B1300 carry one). */
export const setAssignableCommandSchema = z
  .object({
    type: z.literal('position.manage-assignable'),
    position: positionIdSchema,
    assignable: z.array(positionIdSchema).max(500),
  })
  .readonly();

/** WG-01: create a workgroup at an organisation. */
export const createWorkgroupCommandSchema = z
  .object({
    type: z.literal('workgroup.create'),
    organisation: odsCodeSchema,
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
  })
  .readonly();

/** WG-01: assign a workgroup directly to a user. */
export const assignWorkgroupCommandSchema = z
  .object({
    type: z.literal('workgroup.assign'),
    user: uuidSchema,
    workgroup: workgroupIdSchema,
    start: isoDateSchema,
    end: isoDateSchema.optional(),
  })
  .refine(endAfterStart, endAfterStartIssue)
  .readonly();

/** WG-01/ASG-01: change a workgroup assignment's dates. */
export const editWorkgroupDatesCommandSchema = editDatesCommand('workgroup.edit-dates');

/** WG-01: remove a workgroup assignment (kept in the history). */
export const removeWorkgroupAssignmentCommandSchema = z
  .object({ type: z.literal('workgroup.remove'), assignment: assignmentIdSchema })
  .readonly();

/** WG-01: close a workgroup, confirmed, with how it was approved. */
export const closeWorkgroupCommandSchema = z
  .object({
    type: z.literal('workgroup.close'),
    workgroup: workgroupIdSchema,
    /** Must be `true`: closing ends every assignment of the workgroup. */
    confirm: z.literal(true, { message: 'closing a workgroup needs confirm: true (WG-01)' }),
    approval: z
      .string()
      .trim()
      .min(1, { message: 'record how the closure was approved (WG-01)' })
      .max(500),
  })
  .readonly();

/** AUTH-03: the kinds kept as records only; the WebAuthn kinds come through their ceremony. */
const recordKinds = authenticatorKinds.filter(
  (kind) => !(webAuthnKinds as readonly string[]).includes(kind),
) as [Exclude<(typeof authenticatorKinds)[number], (typeof webAuthnKinds)[number]>, ...never[]];

/**
 * AUTH-01/AUTH-02: register a non-smartcard authenticator kept as a record (an iPad, a
 * Microsoft Authenticator device, an NHS.net Connect account); without `user`, on the
 * actor's own profile (self-service); on another's, by an RA agent with the user present.
 * Security keys and Windows Hello are WebAuthn credentials: registered only through the
 * ceremony, once their attestation verifies (AUTH-03, `ra.webauthn`).
 */
export const registerAuthenticatorCommandSchema = z
  .object({
    type: z.literal('authenticator.register'),
    user: uuidSchema.optional(),
    kind: z.enum(recordKinds, {
      error: `must be ${recordKinds.join(', ')}: security keys and Windows Hello are WebAuthn credentials, registered through the WebAuthn ceremony (ra.webauthn.registrationOptions, AUTH-03)`,
    }),
    label: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    userPresent: z.boolean().default(false),
  })
  .readonly();

/** AUTH-01/AUTH-02: remove an authenticator. */
export const removeAuthenticatorCommandSchema = z
  .object({
    type: z.literal('authenticator.remove'),
    authenticator: authenticatorIdSchema,
    userPresent: z.boolean().default(false),
  })
  .readonly();

/** One change of `assignment.manage-multiple`. */
export const assignmentChangeSchema = z.discriminatedUnion('op', [
  z
    .object({
      op: z.literal('assign'),
      position: positionIdSchema,
      start: isoDateSchema,
      end: isoDateSchema.optional(),
      locum: z.boolean().default(false),
    })
    .refine(endAfterStart, endAfterStartIssue)
    .readonly(),
  z
    .object({ op: z.literal('edit-dates'), ...editDatesFields })
    .refine(changesADate, changesADateIssue)
    .readonly(),
  z.object({ op: z.literal('remove'), assignment: assignmentIdSchema }).readonly(),
]);

/**
 * Manage several position assignments on one profile at once (RAM, RAA(A)): every change
 * happens, or none does.
 */
export const manageMultipleAssignmentsCommandSchema = z
  .object({
    type: z.literal('assignment.manage-multiple'),
    user: uuidSchema,
    changes: z
      .array(assignmentChangeSchema)
      .min(1, { message: 'list at least one change' })
      .max(50),
  })
  .readonly();

/** REQ-01: the person a sponsor asks the RA to create a profile for. */
export const requestedPersonSchema = z
  .object({
    name: personNameSchema,
    dateOfBirth: isoDateSchema,
    niNumber: niNumberSchema.optional(),
    contact: contactDetailsSchema.optional(),
  })
  .readonly();

/** REQ-01: what a request asks for, by kind (the ESR kinds arrive from the feed instead). */
export const raisedRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sponsor-create-user'),
      organisation: odsCodeSchema,
      person: requestedPersonSchema,
      /** A position to assign once the profile exists. */
      position: positionIdSchema.optional(),
      start: isoDateSchema.optional(),
    })
    .readonly(),
  z
    .object({
      kind: z.literal('sponsor-activity'),
      /** ROLE-03: a sponsor's `*` activity, carried for an RA agent to accept. */
      command: z.discriminatedUnion('type', [
        changeDetailsCommandSchema,
        closeUserCommandSchema,
        reopenUserCommandSchema,
      ]),
    })
    .readonly(),
  z
    .object({
      kind: z.literal('position-change'),
      position: positionIdSchema,
      change: positionChangeSchema,
    })
    .readonly(),
  z
    .object({
      kind: z.literal('position-assignment'),
      user: uuidSchema,
      position: positionIdSchema,
      start: isoDateSchema,
      end: isoDateSchema.optional(),
    })
    .refine(endAfterStart, endAfterStartIssue)
    .readonly(),
]);

/** REQ-01: raise a request for an RA agent (or, for a position change, a RAM) to decide. */
export const raiseRequestCommandSchema = z
  .object({
    type: z.literal('request.raise'),
    request: raisedRequestSchema,
    /** Why; POS-03 needs one for a position change. */
    reason: reason.optional(),
  })
  .refine((c) => c.request.kind !== 'position-change' || c.reason !== undefined, {
    message: 'a position change request needs a reason (POS-03)',
    path: ['reason'],
  })
  .readonly();

/** REQ-02: open a request for review, locking it to the actor for the pack's minutes. */
export const openRequestCommandSchema = z
  .object({ type: z.literal('request.open'), request: requestIdSchema })
  .readonly();

/**
 * REQ-02: accept a request. What the decision needs besides the request itself: the
 * identity check for a profile the RA creates, or the profile an ESR record matches.
 */
export const acceptRequestCommandSchema = z
  .object({
    type: z.literal('request.accept'),
    request: requestIdSchema,
    /** ID-01: the identity check, when accepting creates a profile. */
    identityCheck: identityCheckInputSchema.optional(),
    /** ID-06: create although a possible duplicate exists. */
    duplicateOverride: z.object({ reason }).readonly().optional(),
    /** ESR create: the existing profile the ESR record belongs to (instead of a new one). */
    match: uuidSchema.optional(),
    /** POS-03: Information Governance approved the change (its reference). */
    igApproval: z.string().trim().min(1).max(200).optional(),
  })
  .refine((c) => c.identityCheck === undefined || c.match === undefined, {
    message: 'either match an existing profile or create one with an identity check, not both',
    path: ['match'],
  })
  .readonly();

/** REQ-02: reject a request, with the reason the requester will read. */
export const rejectRequestCommandSchema = z
  .object({ type: z.literal('request.reject'), request: requestIdSchema, reason })
  .readonly();

/** REQ-01: the requester withdraws an open request. */
export const withdrawRequestCommandSchema = z
  .object({ type: z.literal('request.withdraw'), request: requestIdSchema })
  .readonly();

/** BATCH-01: what one batch run does to each UUID's assignment of one position. */
export const batchActions = ['assign', 'end', 'remove'] as const;

/**
 * BATCH-01: change one position's assignments for many UUIDs in one run: assign it from
 * `start`, end it on `end`, or remove it. `dryRun` previews item by item, writing nothing.
 */
export const batchAssignmentsCommandSchema = z
  .object({
    type: z.literal('batch.assignments'),
    action: z.enum(batchActions),
    position: positionIdSchema,
    uuids: z
      .array(z.string().trim().max(64))
      .min(1, { message: 'list at least one UUID' })
      .max(10_000, { message: 'at most 10,000 UUIDs, and the pack limit applies (BATCH-01)' }),
    start: isoDateSchema.optional(),
    end: isoDateSchema.optional(),
    dryRun: z.boolean().default(false),
  })
  .refine((c) => c.action !== 'assign' || c.start !== undefined, {
    message: 'assigning needs a start date',
    path: ['start'],
  })
  .refine((c) => c.action !== 'end' || c.end !== undefined, {
    message: 'ending needs an end date',
    path: ['end'],
  })
  .refine(
    (c) => c.start === undefined || c.end === undefined || c.end > c.start,
    endAfterStartIssue,
  )
  .readonly();
