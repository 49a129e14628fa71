/**
 * careid: the registration-authority side of NHS smartcard identity management.
 *
 * @packageDocumentation
 */
export * from './domain/index.js';
export * from './errors/index.js';
export {
  type ActivityId,
  activityMatrix,
  type Decision,
  decide,
  dorsetPack,
  nationalPack,
  PolicyDeniedError,
  type RaRole,
  type Reason,
  type RulePack,
} from './policy/index.js';
