import { describe, expect, it } from 'vitest';
import { CareIdError } from '../../src/errors/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { memoryStore, type Store, type StoreTx, verifyAudit } from '../../src/storage/index.js';
import { AT, applicant, NOW, people, seedData } from './fixtures.js';

/** A memory store whose repository method `repo.method` throws `error` while armed. */
function throwingStore(inner: Store) {
  let armed: { repo: string; method: string; error: unknown } | undefined;
  const store: Store = {
    adapter: inner.adapter,
    transaction: (fn) =>
      inner.transaction((tx) =>
        fn(
          new Proxy(tx, {
            get(target, repo) {
              const value = Reflect.get(target, repo) as object;
              if (armed === undefined || repo !== armed.repo) return value;
              const { method, error } = armed;
              return new Proxy(value, {
                get(r, key) {
                  const f = Reflect.get(r, key);
                  if (key !== method || typeof f !== 'function') return f;
                  return () => Promise.reject(error);
                },
              });
            },
          }) as StoreTx,
        ),
      ),
    bulkLoad: (kind, records, event) => inner.bulkLoad(kind, records, event),
    close: () => inner.close(),
  };
  return {
    store,
    arm(repo: string, method: string, error: unknown) {
      armed = { repo, method, error };
    },
  };
}

async function setUp() {
  const inner = memoryStore();
  await seed(inner, seedData, { at: AT, by: 'test-seed' });
  const faulty = throwingStore(inner);
  const ra = createRegistrationAuthority({ store: faulty.store, clock: () => NOW });
  const audit = async () =>
    (await inner.transaction((tx) => tx.audit.read({ limit: 500 }))).items.map((r) => r.event);
  return { inner, faulty, ra, audit };
}

describe('one activity pipeline: every outcome audited the same way (issue 12, AUD-01)', () => {
  it('AUD-01 an error that is not careid`s (a RangeError in users.create) is audited as failed, UNEXPECTED, and rethrown as is', async () => {
    const { faulty, ra, audit } = await setUp();
    const error = new RangeError('Invalid time value: secret 1234');
    faulty.arm('users', 'insert', error);
    await expect(ra.users.create(people.agent, applicant)).rejects.toBe(error);
    const last = (await audit()).at(-1);
    expect(last).toMatchObject({
      actor: people.agent,
      activity: 'user.create',
      outcome: 'failed',
    });
    // The decision that allowed it, then the outcome; the foreign message stays out (AUD-02).
    expect(last?.reasons.at(0)).toMatchObject({ rule: 'ROLE-02' });
    expect(last?.reasons.at(-1)).toEqual({
      rule: 'OUTCOME',
      code: 'UNEXPECTED',
      message: 'an unexpected error (see the application log)',
    });
    expect(JSON.stringify(last)).not.toContain('secret');
  });

  it('AUD-01 request listing, queries and reports audit their failures like commands do', async () => {
    const { faulty, ra, audit } = await setUp();
    const error = new TypeError('records.entries is not a function');
    faulty.arm('requests', 'list', error);
    await expect(ra.requests.list(people.agent)).rejects.toBe(error);
    expect((await audit()).at(-1)).toMatchObject({
      activity: 'request.overview',
      outcome: 'failed',
      reasons: [{ rule: 'ROLE-02' }, { rule: 'OUTCOME', code: 'UNEXPECTED' }],
    });
    const unknown = '555000000099';
    for (const attempt of [
      () => ra.requests.list(unknown),
      () => ra.queries.findUsers(unknown, { uuid: people.agent }),
      () => ra.reports.list(unknown),
      () => ra.smartcards.cancel(unknown, { serial: '2112345678', reason: 'lost' }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'NOT_FOUND', key: unknown });
      expect((await audit()).at(-1)).toMatchObject({
        actor: unknown,
        outcome: 'failed',
        reasons: [{ rule: 'OUTCOME', code: 'NOT_FOUND' }],
      });
    }
  });

  it('AUD-01 denials from every entry point are audited as denied with the rule, nothing else written', async () => {
    const { ra, audit } = await setUp();
    const attempts: [() => Promise<unknown>, string][] = [
      [() => ra.users.create(people.trainee, applicant), 'user.create'],
      [() => ra.requests.list(people.trainee), 'request.overview'],
      [() => ra.reports.list(people.trainee), 'report.list'],
      [() => ra.smartcards.reconcile(people.trainee), 'smartcard.reconcile'],
    ];
    for (const [attempt, activity] of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'POLICY_DENIED' });
      const last = (await audit()).at(-1);
      expect(last).toMatchObject({ actor: people.trainee, activity, outcome: 'denied' });
      expect(last?.reasons.length).toBeGreaterThan(0);
    }
  });

  it('AUD-01 bad input of any shape is a ValidationError, audited with bounded fields; the chain stays valid', async () => {
    const { inner, ra, audit } = await setUp();
    const nullProto = Object.create(null) as object;
    const huge = 'x'.repeat(1_000_000);
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const inputs: [unknown, unknown][] = [
      [nullProto, { type: 'user.create' }],
      [people.agent, { type: '' }],
      [people.agent, { type: huge }],
      [people.agent, null],
      [people.agent, sparse],
      [people.agent, new Uint8Array(4)],
    ];
    for (const [actor, command] of inputs) {
      const error = await ra.execute(actor as string, command as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CareIdError);
      expect(error).toMatchObject({ code: 'VALIDATION' });
      const last = (await audit()).at(-1);
      expect(last?.outcome).toBe('failed');
      expect(last?.actor.length).toBeLessThanOrEqual(64);
      expect(last?.activity.length).toBeGreaterThan(0);
      expect(last?.activity.length).toBeLessThanOrEqual(64);
    }
    expect(await verifyAudit(inner)).toMatchObject({ ok: true });
  });
});
