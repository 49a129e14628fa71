export {
  type Command,
  type CommandInput,
  type CommandMethod,
  type CommandType,
  commandSchema,
} from './command-catalogue.js';
export {
  acceptRequestCommandSchema,
  assignmentChangeSchema,
  assignPositionCommandSchema,
  assignWorkgroupCommandSchema,
  batchActions,
  batchAssignmentsCommandSchema,
  changeDetailsCommandSchema,
  changeOwnContactCommandSchema,
  closePositionCommandSchema,
  closeUserCommandSchema,
  closeWorkgroupCommandSchema,
  copyPositionCommandSchema,
  createPositionCommandSchema,
  createUserCommandSchema,
  createWorkgroupCommandSchema,
  editAssignmentDatesCommandSchema,
  editPositionCommandSchema,
  editWorkgroupDatesCommandSchema,
  identityCheckInputSchema,
  manageMultipleAssignmentsCommandSchema,
  openRequestCommandSchema,
  positionChangeSchema,
  raisedRequestSchema,
  raiseRequestCommandSchema,
  registerAuthenticatorCommandSchema,
  rejectRequestCommandSchema,
  removeAssignmentCommandSchema,
  removeAuthenticatorCommandSchema,
  removeWorkgroupAssignmentCommandSchema,
  reopenUserCommandSchema,
  requestedPersonSchema,
  setAssignableCommandSchema,
  withdrawRequestCommandSchema,
} from './commands.js';
export { PossibleDuplicateError, UnknownActorError } from './errors.js';
export {
  type EsrFeedItem,
  type EsrFeedItemInput,
  type EsrIntakeItem,
  type EsrIntakeResult,
  esrFeedItemSchema,
} from './esr-feed.js';
export type { AccessOnDate } from './point-in-time.js';
export type {
  QueryPayload,
  QueryResults,
  RegistrationAuthorityQueries,
} from './queries/queries.js';
export type {
  AssignmentState,
  AssignmentSummary,
  AuthenticatorSummary,
  CardSummary,
  OrganisationSummary,
  PositionSummary,
  ResultPage,
  UserAtOrganisation,
  UserSummary,
  WorkgroupAssignmentSummary,
} from './queries/results.js';
export {
  assignmentHistoryQuerySchema,
  findAuthenticatorsQuerySchema,
  findCardsQuerySchema,
  findOrganisationsQuerySchema,
  findPositionsQuerySchema,
  findUsersQuerySchema,
  type Query,
  type QueryInput,
  type QueryType,
  querySchema,
  workgroupHistoryQuerySchema,
  workgroupsForUserQuerySchema,
} from './queries/schemas.js';
export {
  type ActorCapabilityOptions,
  type CommandPayload,
  type CommandResults,
  createRegistrationAuthority,
  type ExecuteOptions,
  type RegistrationAuthority,
  type RegistrationAuthorityOptions,
} from './registration-authority.js';
export {
  EXPIRY_WINDOWS,
  frequentlyUsedReports,
  type ReportId,
  reportIds,
} from './reports/catalogue.js';
export type { ReportCategory } from './reports/definition.js';
export type {
  FrequentReport,
  RegistrationAuthorityReports,
  ReportExportQuery,
  ReportPage,
  ReportQuery,
  ReportSummary,
} from './reports/reports.js';
export { type SeedData, seed } from './seed.js';
export {
  type SeedContext,
  seedAssignment,
  seedOrganisation,
  seedPosition,
  seedUser,
} from './seed-records.js';
export {
  cancelCardCommandSchema,
  clearCardCommandSchema,
  issueCardCommandSchema,
  reconcileCardsCommandSchema,
  renewCardCommandSchema,
  repairCardCommandSchema,
  replaceCardCommandSchema,
  selfUnlockConfirmCommandSchema,
  selfUnlockRequestCommandSchema,
  stockCardCommandSchema,
  unlockCardCommandSchema,
} from './smartcards/commands.js';
export { aesGcmKeyVault, memorySealedStorage } from './smartcards/key-vault.js';
export type {
  CardCallOptions,
  ReconcileResult,
  SelfUnlockRequested,
  SmartcardOperations,
  SmartcardOperationsWithRecovery,
  SmartcardResult,
} from './smartcards/lifecycle.js';
export type {
  CardReader,
  CardSecrets,
  KeyVault,
  Notifier,
  OneTimeCodeMessage,
  PendingUnlockCode,
  SealedStorage,
  UnlockCodeStore,
} from './smartcards/ports.js';
export type { ChuidSigner } from './smartcards/types.js';
export { memoryUnlockCodes } from './smartcards/unlock-codes.js';
export type { Change, CommandResult } from './use-case.js';
export type { AssignmentResult, MultipleAssignmentsResult } from './use-cases/assignments.js';
export type { AuthenticatorResult } from './use-cases/authenticators.js';
export type { BatchItem, BatchResult } from './use-cases/batch.js';
export type { CreateUserResult } from './use-cases/create-user.js';
export type { PositionResult } from './use-cases/positions.js';
export type { ProfileResult } from './use-cases/profiles.js';
export {
  type RequestListPage,
  type RequestListQueryInput,
  requestListQuerySchema,
} from './use-cases/request-listing.js';
export type { RequestResult } from './use-cases/requests.js';
export type { WorkgroupResult } from './use-cases/workgroups.js';
export type {
  AuthenticationOptions,
  AuthenticationResult,
} from './webauthn/authentication.js';
export type { WebAuthnCeremonies } from './webauthn/ceremonies.js';
export type {
  CredentialSummary,
  RegistrationOptions,
  RegistrationResult,
} from './webauthn/registration.js';
export {
  type AuthenticationOptionsInput,
  authenticationOptionsInputSchema,
  type RegistrationOptionsInput,
  registrationOptionsInputSchema,
  type VerifyAuthenticationInput,
  type VerifyRegistrationInput,
  verifyAuthenticationInputSchema,
  verifyRegistrationInputSchema,
} from './webauthn/schemas.js';
