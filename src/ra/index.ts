export {
  assignPositionCommandSchema,
  assignWorkgroupCommandSchema,
  type Command,
  type CommandInput,
  type CommandType,
  changeDetailsCommandSchema,
  changeOwnContactCommandSchema,
  closePositionCommandSchema,
  closeUserCommandSchema,
  closeWorkgroupCommandSchema,
  commandSchema,
  createPositionCommandSchema,
  createUserCommandSchema,
  createWorkgroupCommandSchema,
  editAssignmentDatesCommandSchema,
  editWorkgroupDatesCommandSchema,
  registerAuthenticatorCommandSchema,
  removeAssignmentCommandSchema,
  removeAuthenticatorCommandSchema,
  removeWorkgroupAssignmentCommandSchema,
  reopenUserCommandSchema,
} from './commands.js';
export { PossibleDuplicateError } from './errors.js';
export type { AccessOnDate } from './point-in-time.js';
export {
  type CommandPayload,
  type CommandResults,
  createRegistrationAuthority,
  type RegistrationAuthority,
  type RegistrationAuthorityOptions,
} from './registration-authority.js';
export { type SeedData, seed } from './seed.js';
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
export { memoryUnlockCodes } from './smartcards/unlock-codes.js';
export type { Change, CommandResult } from './use-case.js';
export type { AssignmentResult } from './use-cases/assignments.js';
export type { AuthenticatorResult } from './use-cases/authenticators.js';
export type { CreateUserResult } from './use-cases/create-user.js';
export type { PositionResult } from './use-cases/positions.js';
export type { ProfileResult } from './use-cases/profiles.js';
export type { WorkgroupResult } from './use-cases/workgroups.js';
