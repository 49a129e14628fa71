/**
 * Crash safety on SQLite (issue 13): the RA process SIGKILLed at every APDU of issue,
 * renew, repair, clear, replace and unlock, before and after the card answers; the
 * restarted host reconciles, finds store, CA, vault and card agreeing, and runs the
 * operation again to completion. See harness.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashAtEveryApdu, createWorld } from './harness.js';
import { buildWorker } from './pool.js';
import { RULES } from './rules.js';
import { OPERATIONS } from './world.js';

let worker: Awaited<ReturnType<typeof buildWorker>>;
beforeAll(async () => {
  worker = await buildWorker();
});
afterAll(() => worker?.dispose());

describe('crash safety on SQLite: the RA process killed at every APDU', () => {
  for (const op of OPERATIONS) {
    it(`${RULES[op]} ${op}: killed before and after each APDU, reconciled, agreeing, run again`, async () => {
      const w = await createWorld({ adapter: 'sqlite', location: '' }, worker.path);
      try {
        const report = await crashAtEveryApdu(w, op);
        console.log(`sqlite ${op}: ${report.apdus} APDUs, ${report.kills} kills, ${report.ms} ms`);
        expect(report.failures).toEqual([]);
      } finally {
        await w.dispose();
      }
    }, 300_000);
  }
});
