import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { IsoDateTime } from '../../src/domain/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { fixtureChallenge, fixtureEvent } from '../../src/storage/testing/index.js';
import { dropSchemas, POSTGRES_URL, postgresUp } from '../support/postgres.js';

// Two app servers verify one WebAuthn answer at once (AUTH-03). The one that reads the
// challenge before the other commits, and the credential after, sees a counter that has
// already moved: its refusal comes from a mix of two states. The challenge read is noted
// like a record read, so that refusal runs the transaction again, which then finds the
// challenge spent (WEBAUTHN_CHALLENGE_USED), as a serial order would.

const skip = postgresUp ? undefined : `PostgreSQL is not reachable at ${POSTGRES_URL}`;
const schema = `careid_t_${randomBytes(6).toString('hex')}`;
const AT = '2026-01-01T09:01:00.000Z' as IsoDateTime;

describe.skipIf(skip !== undefined)('PostgreSQL: a WebAuthn challenge spent meanwhile', () => {
  const store = postgresStore(POSTGRES_URL, { schema });
  afterAll(async () => {
    await store.close();
    await dropSchemas(schema);
  });

  it('AUTH-03 a refusal met after the challenge was read runs again if another transaction spent it, and then sees it spent', async () => {
    const challenge = fixtureChallenge('race-challenge-000000000001');
    await store.transaction((tx) => tx.webAuthnChallenges.insert(challenge));
    const seen: (string | undefined)[] = [];
    const outcome = await store
      .transaction(async (tx) => {
        const read = await tx.webAuthnChallenges.get(challenge.challenge);
        seen.push(read?.usedAt);
        if (read?.usedAt !== undefined) throw new Error('spent');
        // The other app server spends it and commits; this one is then refused on a read
        // of what that commit changed (the counter), as the race in AUTH-03 does.
        await store.transaction(async (other) => {
          await other.webAuthnChallenges.consume(challenge.challenge, AT);
          await other.audit.append(fixtureEvent('webauthn.authenticate', 'x'));
        });
        throw new Error('counter regressed');
      })
      .catch((error: Error) => error.message);
    expect(seen).toEqual([undefined, AT]);
    expect(outcome).toBe('spent');
  });

  it('AUTH-03 a transaction that spends the challenge it read commits (its own write is not a change)', async () => {
    const challenge = fixtureChallenge('own-challenge-0000000000001');
    await store.transaction((tx) => tx.webAuthnChallenges.insert(challenge));
    let runs = 0;
    await store.transaction(async (tx) => {
      runs++;
      expect((await tx.webAuthnChallenges.get(challenge.challenge))?.usedAt).toBeUndefined();
      expect(await tx.webAuthnChallenges.consume(challenge.challenge, AT)).toBe(true);
      await tx.audit.append(fixtureEvent('webauthn.authenticate', 'y'));
    });
    expect(runs).toBe(1);
    expect(
      (await store.transaction((tx) => tx.webAuthnChallenges.get('own-challenge-0000000000001')))
        ?.usedAt,
    ).toBe(AT);
  });
});
