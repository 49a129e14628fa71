import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CareIdError } from '../../src/errors/index.js';
import { commandSchema } from '../../src/ra/command-catalogue.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { memoryStore, verifyAudit } from '../../src/storage/index.js';
import { AT, NOW, people, seedData } from './fixtures.js';

/** Any JavaScript value a host might hand over (issue 13: null prototypes, sparse and typed arrays, Maps, Sets). */
const anything = fc.anything({
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withMap: true,
  withSet: true,
  withBigInt: true,
  withDate: true,
  withBoxedValues: true,
  maxDepth: 3,
});
const types = (commandSchema as unknown as { options: { shape?: unknown }[] }).options.length;
const commandTypes = [
  'user.create',
  'assignment.assign',
  'user.close',
  'request.accept',
  'batch.assignments',
  'authenticator.register',
];
const actors = fc.oneof(fc.constantFrom(...Object.values(people)), anything);
/** A command that gets past the type: its fields are anything. */
const commands = fc.oneof(
  anything,
  fc
    .tuple(fc.constantFrom(...commandTypes), fc.dictionary(fc.string(), anything))
    .map(([type, fields]) => ({ ...fields, type })),
);

async function world() {
  const store = memoryStore();
  await seed(store, seedData, { at: AT, by: 'test-seed' });
  return { store, ra: createRegistrationAuthority({ store, clock: () => NOW }) };
}

/** Runs `call`; anything thrown must be a CareIdError. */
async function onlyCareIdErrors(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
  }
}

describe('AUD-01 any JavaScript value at the RA`s entry points is answered with a CareIdError only (issue 13)', () => {
  it('AUD-01 execute: 10,000 generated actors and commands; nothing but careid errors, the audit chain verifies', async () => {
    expect(types).toBe(27);
    const { store, ra } = await world();
    await fc.assert(
      fc.asyncProperty(actors, commands, (actor, command) =>
        onlyCareIdErrors(() => ra.execute(actor as string, command as never)),
      ),
      { numRuns: 10_000 },
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: true });
  });

  it('AUD-01 check, whatCan, queries, request listing, reports and the ESR feed: nothing but careid errors', async () => {
    const { store, ra } = await world();
    const entryPoints: ((actor: unknown, input: unknown) => Promise<unknown>)[] = [
      (actor, input) => ra.check(actor as string, input),
      (actor, input) => ra.whatCan(actor as string, input as never),
      (actor, input) => ra.queries.query(actor as string, input as never),
      (actor, input) => ra.requests.list(actor as string, input as never),
      (actor, input) => ra.reports.view(actor as string, input as never),
      (_actor, input) => ra.requests.receiveFromEsr(input as never),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: entryPoints.length - 1 }),
        actors,
        anything,
        (which, actor, input) => onlyCareIdErrors(() => entryPoints[which]!(actor, input)),
      ),
      { numRuns: 6_000 },
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: true });
  });
});
