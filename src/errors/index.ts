export {
  CareIdError,
  type CareIdErrorJson,
  type CareIdErrorOptions,
  isCareIdError,
} from './care-id-error.js';
export type { CareIdErrorCode } from './codes.js';
export {
  importOptionalPeer,
  isMissingPackage,
  OptionalPeerMissingError,
  requireOptionalPeer,
} from './optional-peer.js';
export { parseWith } from './parse.js';
export { attempt, attemptAsync, type Result } from './result.js';
export { ValidationError, type ValidationIssue } from './validation-error.js';
