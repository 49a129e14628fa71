/**
 * The storage conformance suite (vitest and fast-check, optional peers) and the record
 * fixtures it uses, for adapter authors and host apps.
 *
 * @packageDocumentation
 */

export {
  describeStoreConformance,
  type StoreConformanceOptions,
  type WithStore,
} from './conformance.js';
export {
  FIXTURE_ACTOR,
  fixtureAssignment,
  fixtureAuthenticator,
  fixtureCard,
  fixtureCertificate,
  fixtureChallenge,
  fixtureCredential,
  fixtureEvent,
  fixtureOrganisation,
  fixturePosition,
  fixtureRequest,
  fixtureUser,
  fixtureWorkgroup,
  fixtureWorkgroupAssignment,
} from './fixtures.js';
