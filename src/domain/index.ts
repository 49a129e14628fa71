export {
  type DatedAssignment,
  isActiveOn,
  type PositionAssignment,
  positionAssignmentSchema,
  type WorkgroupAssignment,
  workgroupAssignmentSchema,
} from './assignment.js';
export { type AuditEvent, auditEventSchema, auditReasonSchema } from './audit-event.js';
export {
  type Authenticator,
  type AuthenticatorKind,
  authenticatorKinds,
  authenticatorSchema,
} from './authenticator.js';
export {
  addDays,
  addMinutes,
  addMonths,
  dateOf,
  daysBetween,
  type IsoDate,
  type IsoDateTime,
  isoDateSchema,
  isoDateTimeSchema,
  toIsoDateTime,
} from './dates.js';
export { type DuplicateMatch, duplicateMatches, foldName } from './duplicates.js';
export { InvalidTransitionError } from './errors.js';
export type { DomainEvent, Transition } from './events.js';
export {
  assertIdentityCheckComplete,
  drivingLicenceSchema,
  type IdentityCheck,
  type IdentityCheckProblem,
  type IdentityCheckSettings,
  type IdentityDocument,
  identityCheckProblems,
  identityCheckSchema,
  identityDocumentSchema,
  niEvidenceSchema,
  otherDocumentSchema,
  passportSchema,
  proofOfAddressSchema,
} from './identity-check.js';
export {
  type AssignmentId,
  type AuthenticatorId,
  assignmentIdSchema,
  authenticatorIdSchema,
  newId,
  type PositionId,
  positionIdSchema,
  type RequestId,
  requestIdSchema,
  type WorkgroupId,
  workgroupIdSchema,
} from './ids.js';
export { type NiNumber, niNumberSchema } from './ni-number.js';
export { type OdsCode, odsCodeSchema } from './ods-code.js';
export {
  type Organisation,
  type OrganisationKind,
  organisationKinds,
  organisationSchema,
} from './organisation.js';
export {
  inDefaultListing,
  type OrganisationShortfall,
  overdueLeaverAssignments,
  pharmaciesShortOfSponsors,
} from './oversight.js';
export { type PasscodeSettings, passcodeProblem } from './passcode.js';
export {
  type Position,
  type PositionApproval,
  positionApprovalSchema,
  positionSchema,
} from './position.js';
export {
  type ActivityCode,
  activityCodeSchema,
  type JobRoleCode,
  jobRoleCodeSchema,
  SPONSOR_ACTIVITY_CODE,
} from './rbac-codes.js';
export {
  type Request,
  type RequestKind,
  type RequestState,
  requesterSchema,
  requestKinds,
  requestSchema,
  requestStates,
} from './request.js';
export {
  type CancelReason,
  type CardOperation,
  type CardSerial,
  type CardStatus,
  cancelReasons,
  cardOperations,
  cardSerialSchema,
  cardSeries,
  cardStatuses,
  type Smartcard,
  smartcardSchema,
} from './smartcard.js';
export { addYearsIn, dateIn, isTimeZone, startOfDateIn } from './time-zone.js';
export {
  type AssignmentRecord,
  editAssignmentDates,
  endOrRemoveAssignment,
  removeAssignment,
} from './transitions/assignment.js';
export { removeAuthenticator } from './transitions/authenticator.js';
export {
  assertIssuable,
  type CardReservation,
  cancelCard,
  clearCard,
  flagForRepair,
  issueCard,
  lockCard,
  releaseCard,
  renewCard,
  repairCard,
  reserveCard,
  unlockCard,
} from './transitions/card.js';
export {
  changePosition,
  closePosition,
  type PositionChange,
  type PositionWorld,
  setAssignable,
} from './transitions/position.js';
export {
  changeContact,
  changeDetails,
  closeProfile,
  type DetailsChangeContext,
  type PersonalDetailsChange,
  type ProfileWorld,
  reopenProfile,
} from './transitions/profile.js';
export {
  closeRequest,
  decideRequest,
  openForReview,
  withdrawRequest,
} from './transitions/request.js';
export {
  recordCredentialUse,
  removeCredential,
} from './transitions/webauthn-credential.js';
export { closeWorkgroup, type WorkgroupWorld } from './transitions/workgroup.js';
export {
  type ContactDetails,
  contactDetailsSchema,
  type EsrMasteredField,
  esrMasteredFields,
  mobileSchema,
  type PersonName,
  personNameSchema,
  type TrainingCertificate,
  trainingCertificateSchema,
  type UserProfile,
  userProfileSchema,
} from './user.js';
export { generateUuid, type RandomInt, type Uuid, uuidSchema } from './uuid.js';
export {
  challengeTextSchema,
  type WebAuthnChallenge,
  webAuthnChallengeSchema,
} from './webauthn-challenge.js';
export {
  type AuthenticatorTransport,
  authenticatorTransports,
  base64urlSchema,
  credentialIdSchema,
  type WebAuthnCredential,
  type WebAuthnKind,
  webAuthnCredentialSchema,
  webAuthnKinds,
} from './webauthn-credential.js';
export { type Workgroup, workgroupSchema } from './workgroup.js';
