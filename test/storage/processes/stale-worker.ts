/**
 * One app server racing others on one record, as its own OS process:
 *
 *   node --import tsx test/storage/processes/stale-worker.ts '<json job>'
 *
 * After `go` on stdin, each round reads the shared assignment in one transaction, waits a
 * little, then writes its own end date from the version it read, in a second transaction:
 * a stale read-then-write, as a client holding a form open would do. A CONFLICT is
 * recorded (with its message) and the round starts again, until `edits` writes landed.
 */
import { createInterface } from 'node:readline';
import type { AssignmentId, IsoDate } from '../../../src/domain/index.js';
import { isCareIdError } from '../../../src/errors/index.js';
import { fixtureEvent } from '../../../src/storage/testing/index.js';
import { openStore, type WorkerJob } from './ra-worker.js';

const job = JSON.parse(process.argv[2] as string) as WorkerJob & {
  readonly writer: number;
  readonly edits: number;
};
const store = openStore(job);
await store.transaction((tx) => tx.audit.head());
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'go') break;
const started = performance.now();
const outcomes: { ok: boolean; ms: number; code?: string; message?: string }[] = [];
const id = 'asg-shared' as AssignmentId;
for (let landed = 0; landed < job.edits; ) {
  const t0 = performance.now();
  const read = await store.transaction((tx) => tx.positionAssignments.get(id));
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
  const end = new Date(Date.UTC(2027, job.writer, 1 + landed)).toISOString().slice(0, 10);
  try {
    await store.transaction(async (tx) => {
      if (read === undefined) throw new Error('no shared assignment');
      await tx.positionAssignments.update({ ...read, end: end as IsoDate });
      await tx.audit.append(fixtureEvent('assignment.edit-dates', id, { end, from: read.version }));
    });
    outcomes.push({ ok: true, ms: performance.now() - t0 });
    landed++;
  } catch (error) {
    if (!isCareIdError(error, 'CONFLICT')) throw error;
    outcomes.push({
      ok: false,
      ms: performance.now() - t0,
      code: error.code,
      message: error.message,
    });
  }
}
const ms = performance.now() - started;
await store.close();
process.stdout.write(`${JSON.stringify({ ms, outcomes })}\n`);
process.exit(0);
