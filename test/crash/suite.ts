import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashAtEveryApdu, createWorld } from './harness.js';
import { buildWorker } from './pool.js';
import { RULES } from './rules.js';
import { OPERATIONS, type WorldConfig } from './world.js';

/**
 * Operations run at once in one file. vitest gives a 2-core machine one test worker, so
 * the files run one after the other; two worlds at once keep both cores busy (this
 * process checking one world while the other's RA worker runs).
 */
const AT_ONCE = 2;

/** A counting semaphore: at most `n` holders at a time. */
function limiter(n: number) {
  let free = n;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free += 1;
    }
  };
}

/**
 * One test per operation, each in a world of its own over `store()`: killed at every
 * APDU, before and after the answer; every kill recovered, checked and run again.
 */
export function crashSuite(
  adapter: string,
  store: () => Pick<WorldConfig, 'adapter' | 'location' | 'schema'>,
  skip: string | undefined,
) {
  let worker: Awaited<ReturnType<typeof buildWorker>> | undefined;
  const slot = limiter(AT_ONCE);
  beforeAll(async () => {
    if (skip === undefined) worker = await buildWorker();
  });
  afterAll(() => worker?.dispose());

  describe
    .skipIf(skip !== undefined)
    .concurrent(`crash safety on ${adapter}: the RA process killed at every APDU`, () => {
      for (const op of OPERATIONS) {
        it(
          `${RULES[op]} ${op}: killed before and after each APDU, reconciled, agreeing, run again`,
          () =>
            slot(async () => {
              const w = await createWorld(store(), (worker as { path: string }).path);
              try {
                const report = await crashAtEveryApdu(w, op);
                console.log(
                  `${adapter} ${op}: ${report.apdus} APDUs, ${report.kills} kills, ${report.ms} ms`,
                );
                expect(report.failures).toEqual([]);
              } finally {
                await w.dispose();
              }
            }),
          600_000,
        );
      }
    });
}
