/**
 * The RA process the crash harness kills. Forked with an IPC channel and the world's
 * config as its argument, it opens the store, the CA and the vault, says `ready`, then runs
 * the one job it is sent with the real RA code: its card reader is the IPC channel, every
 * APDU goes to the test process (which holds the card) and waits for the answer. The test
 * process SIGKILLs it at the APDU it chose, before or after the card answered; a job that
 * is not killed reports its outcome and the process exits.
 */
import { decodeResponseApdu } from '../../src/card/apdu/response.js';
import type { CardConnection } from '../../src/card/connection.js';
import { CardRemovedError } from '../../src/card/errors.js';
import { CareIdError } from '../../src/errors/index.js';
import type { CardReader } from '../../src/ra/index.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { type Job, openWorld, runOperation, type WorldConfig } from './world.js';

const send = (message: FromWorker) => process.send?.(message);

/** APDUs waiting for the card's answer, by id. */
const waiting = new Map<
  number,
  { resolve: (bytes: Uint8Array) => void; reject: (e: Error) => void }
>();
let nextId = 0;

function ipcReader(job: Job): CardReader {
  return {
    name: 'crash harness reader',
    connect: async (): Promise<CardConnection> => ({
      atr: new Uint8Array(Buffer.from(job.atr, 'hex')),
      transmit: (apdu) =>
        new Promise((resolve, reject) => {
          nextId += 1;
          waiting.set(nextId, { resolve: (bytes) => resolve(decodeResponseApdu(bytes)), reject });
          send({ type: 'apdu', id: nextId, hex: Buffer.from(apdu).toString('hex') });
        }),
      close: async () => undefined,
    }),
  };
}

async function main() {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorldConfig;
  let now = new Date();
  const world = await openWorld(config, () => now);

  async function run(job: Job) {
    now = new Date(job.now);
    try {
      const result = await runOperation(world.ra, job, ipcReader(job));
      send({ type: 'done', ok: true, apdus: result.apdus });
      // A job run to its end compiled the code the next workers run: they load it cached.
      (globalThis as { saveCodeCache?: () => void }).saveCodeCache?.();
    } catch (error) {
      const code = error instanceof CareIdError ? error.code : 'UNEXPECTED';
      send({ type: 'done', ok: false, code, message: String((error as Error).message) });
    }
    await world.store.close();
    process.disconnect?.();
  }

  process.on('message', (message: ToWorker) => {
    if (message.type === 'job') {
      void run(message.job);
      return;
    }
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.type === 'answer') {
      pending?.resolve(new Uint8Array(Buffer.from(message.hex, 'hex')));
    } else pending?.reject(new CardRemovedError('the card left the reader'));
  });
  send({ type: 'ready' });
}

void main();
