export {
  CareIdError,
  type CareIdErrorJson,
  type CareIdErrorOptions,
  isCareIdError,
} from './care-id-error.js';
export type { CareIdErrorCode } from './codes.js';
export { OptionalPeerMissingError } from './optional-peer.js';
export { parseWith } from './parse.js';
export { attempt, attemptAsync, type Result } from './result.js';
export { ValidationError, type ValidationIssue } from './validation-error.js';
