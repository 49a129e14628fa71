import type * as FastCheck from 'fast-check';
import { requireOptionalPeer } from '../errors/load-optional-peer.js';

/**
 * fast-check, an optional peer dependency of careid/testing and careid/storage/testing,
 * loaded so that a missing one is an OPTIONAL_PEER_MISSING error naming the install
 * command rather than the loader's bare "Cannot find package". The same name carries the
 * types the generators use.
 */
const fc: typeof FastCheck = requireOptionalPeer<typeof FastCheck>(
  'fast-check',
  'careid/testing (and careid/storage/testing)',
);

// Type-only, so `fc.Arbitrary<T>` reads as with fast-check's own import (careid/storage/testing)
declare namespace fc {
  export type Arbitrary<T> = FastCheck.Arbitrary<T>;
  export type AsyncCommand<
    Model extends object,
    Real,
    CheckAsync extends boolean = false,
  > = FastCheck.AsyncCommand<Model, Real, CheckAsync>;
}

export default fc;
