import fc from 'fast-check';
import { expect } from 'vitest';
import { VirtualPivCard } from '../../src/card/index.js';
import { memoryStore, verifyAudit } from '../../src/storage/index.js';
import { people } from '../ra/fixtures.js';
import { lifecycleWorld, virtualReader } from '../ra/smartcards/harness.js';
import { anything, assertContract, CASES_PER_ENTRY_POINT, watchedStore } from './support.js';

/** Field names the RA's inputs use, so generated objects reach past the first check. */
const FIELDS = [
  'response',
  'id',
  'rawId',
  'clientDataJSON',
  'attestationObject',
  'authenticatorData',
  'signature',
  'userHandle',
  'challenge',
  'type',
  'user',
  'uuid',
  'position',
  'organisation',
  'start',
  'end',
  'serial',
  'reason',
  'kind',
  'label',
  'userPresent',
  'givenName',
  'familyName',
  'dateOfBirth',
  'niNumber',
  'query',
  'cursor',
  'limit',
  'report',
  'filter',
  'activity',
  'target',
  'request',
  'uuids',
  'changes',
  'passcode',
  'code',
  'photo',
  'workgroup',
  'name',
  'contact',
  'identityCheck',
] as const;

const actors = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...Object.values(people)) },
  { weight: 1, arbitrary: anything },
);
const inputs = fc.oneof(
  anything,
  fc.dictionary(fc.constantFrom(...FIELDS), anything, { maxKeys: 6 }),
);

/** Every function the RA object offers, by its path (`users.create`, `smartcards.selfUnlock.confirm`). */
export function entryPointsOf(ra: object): string[] {
  const paths: string[] = [];
  const walk = (node: object, prefix: string) => {
    for (const key of Object.keys(node)) {
      const value = (node as Record<string, unknown>)[key];
      if (typeof value === 'function') paths.push(prefix + key);
      else if (typeof value === 'object' && value !== null) walk(value, `${prefix}${key}.`);
    }
  };
  walk(ra, '');
  return paths;
}

function resolve(ra: object, path: string): { fn: (...args: unknown[]) => unknown; self: object } {
  const keys = path.split('.');
  let self: Record<string, unknown> = ra as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) self = self[key] as Record<string, unknown>;
  return { fn: self[keys.at(-1)!] as (...args: unknown[]) => unknown, self };
}

/** Reads a result to its end when it is a stream (CSV exports), so its errors surface in the call. */
async function drain(result: unknown): Promise<void> {
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    for await (const _ of result as AsyncIterable<unknown>);
  } else if (result instanceof ReadableStream) {
    const reader = result.getReader();
    while (!(await reader.read()).done);
  }
}

/**
 * Issue 13 (AUD-01): CASES_PER_ENTRY_POINT generated calls to the RA entry point at
 * `path`, each with an actor (seeded or anything), an input (anything, or an object of the
 * RA's field names holding anything) and, for card operations, a reader over a virtual
 * card or anything. Every call answers with a value or a CareIdError; a refused call
 * commits nothing but bounded audit records; the audit chain verifies after.
 */
export async function fuzzEntryPoint(path: string): Promise<void> {
  const watched = watchedStore(memoryStore());
  const world = await lifecycleWorld(
    { store: watched.store },
    { webauthn: { rpId: 'localhost', rpName: 'careid fuzz', origins: ['http://localhost:8080'] } },
  );
  const { fn, self } = resolve(world.ra, path);
  const card = new VirtualPivCard({ serial: 20_000_001 });
  const readers = fc.oneof(
    { weight: 3, arbitrary: fc.constant(virtualReader(card)) },
    { weight: 1, arbitrary: anything },
  );
  await fc.assert(
    fc.asyncProperty(actors, inputs, readers, anything, async (actor, input, reader, extra) => {
      const trace = await watched.trace(async () =>
        drain(await fn.call(self, actor, input, reader, extra)),
      );
      assertContract(path, trace);
    }),
    { numRuns: CASES_PER_ENTRY_POINT },
  );
  expect(await verifyAudit(watched.store)).toMatchObject({ ok: true });
}
