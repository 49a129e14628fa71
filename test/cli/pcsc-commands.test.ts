import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createRegistrationAuthority } from '../../src/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import {
  acquireStackLock,
  releaseStackLock,
  stackUnavailableReason,
  startStack,
  VPCD_SOCKET,
} from '../card/pcsc-stack.js';
import { applicant } from '../ra/fixtures.js';
import { buildCli, type CliRun, collect, runCli, waitForLine } from './support.js';

const CI = process.env['CI'] === 'true';
const reason = stackUnavailableReason();
const skip = reason !== undefined && !CI;
const VAULT_KEY = randomBytes(32).toString('base64');
const AGENT = '555000000002';
const SERIAL = '0010000001'; // the virtual card's default serial

function exited(run: CliRun, code: number): CliRun {
  expect(run.signal, `killed after the timeout: it hung\n${run.stdout}\n${run.stderr}`).toBeNull();
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
  return run;
}

describe.skipIf(skip)(
  `careid card at a desk reader: separate processes through pcscd and vpcd${skip ? ` (skipped: ${reason})` : ''}`,
  () => {
    let bin: string;
    let cleanup = () => {};
    let dir: string;
    let store: string;
    let simulator: ChildProcess | undefined;
    let simulatorDone: Promise<CliRun> | undefined;
    const cli = (args: string[], options: Parameters<typeof runCli>[2] = {}) =>
      runCli(bin, args, { ...options, env: { CAREID_VAULT_KEY: VAULT_KEY, ...options.env } });
    const desk = () => ['--store', store, '--actor', AGENT, '--reader', 'Virtual PCD'];

    beforeAll(async () => {
      if (reason !== undefined)
        throw new Error(`CI=true but the PC/SC stack cannot run: ${reason}`);
      await acquireStackLock();
      startStack();
      ({ bin, cleanup } = await buildCli());
      dir = mkdtempSync(join(tmpdir(), 'careid-cli-pcsc-'));
      store = join(dir, 'ra.sqlite');
      const io = { out: () => {}, err: (l: string) => console.error(l) };
      const env = { CAREID_VAULT_KEY: VAULT_KEY };
      const init = [
        'init',
        '--store',
        store,
        '--crl-url',
        'http://pki.example/c.crl',
        '--ocsp-url',
        'http://ocsp.example/',
      ];
      expect(await main(init, io, { env })).toBe(0);
      const seedFile = join(dir, 'seed.json');
      writeFileSync(
        seedFile,
        JSON.stringify({
          by: '555000000001',
          organisations: [
            { odsCode: 'QVV', name: 'ICB', kind: 'icb' },
            { odsCode: 'FA123', name: 'Pharmacy', kind: 'pharmacy', parent: 'QVV' },
          ],
          positions: [
            { id: 'pos-raa', organisation: 'QVV', jobRole: 'R5090' },
            { id: 'pos-dispenser', organisation: 'FA123', jobRole: 'R8004' },
          ],
          users: [{ uuid: AGENT, given: 'Priya', family: 'Agent', training: true }],
          assignments: [{ id: 'a1', user: AGENT, position: 'pos-raa', start: '2025-01-01' }],
        }),
      );
      expect(await main(['seed', '--store', store, seedFile], io, { env })).toBe(0);
    }, 300_000);

    afterAll(async () => {
      simulator?.kill('SIGKILL');
      await simulatorDone;
      cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
      releaseStackLock();
    });

    it('CARD-01 CARD-10 simulate, status, stock, issue, a refusal after the reader was opened, cancel: each command exits by itself', async () => {
      simulator = spawn(process.execPath, [bin, 'card', 'simulate', '--vpcd', VPCD_SOCKET], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      simulatorDone = collect(simulator, undefined, 240_000);
      await waitForLine(simulator, /virtual PIV card attached/);

      const status = exited(await cli(['card', 'status', '--reader', 'Virtual PCD']), 0);
      expect(status.stdout).toContain('CHUID: none');
      expect(status.stdout).toContain('PIN tries left: 3');

      const stocked = exited(await cli(['card', 'stock', ...desk()]), 0);
      expect(stocked.stdout).toContain(`card ${SERIAL}: stock`);

      const db = sqliteStore(store);
      const ra = createRegistrationAuthority({ store: db });
      const holder = (await ra.users.create(AGENT, applicant)).uuid;
      await ra.assignments.assign(AGENT, {
        user: holder,
        position: 'pos-dispenser',
        start: new Date().toISOString().slice(0, 10),
      });
      await db.close();
      const photo = join(dir, 'photo.jpg');
      writeFileSync(photo, 'a facial image');
      const issue = ['card', 'issue', ...desk(), '--user', holder, '--photo', photo];
      // Refused: the holder is not at the desk (USER_NOT_PRESENT).
      const absent = exited(await cli(issue, { input: '246810\n' }), 1);
      expect(absent.stderr).toContain('USER_NOT_PRESENT');
      const issued = exited(await cli([...issue, '--user-present'], { input: '246810\n' }), 0);
      expect(issued.stdout).toContain('... generating the key on the card (slot 9A)');
      expect(issued.stdout).toContain(`card ${SERIAL}: issued, holder ${holder}`);
      expect(issued.stdout + issued.stderr).not.toContain('246810');
      // An error raised once the reader is open (the card is issued, not in stock).
      const again = exited(await cli([...issue, '--user-present'], { input: '246810\n' }), 1);
      expect(again.stderr).toMatch(/careid card issue: /);

      const after = exited(await cli(['card', 'status', '--reader', 'Virtual PCD']), 0);
      expect(after.stdout).toContain(`CHUID: holder UUID ${holder}`);

      const cancelled = exited(
        await cli(['card', 'cancel', ...desk(), '--serial', SERIAL, '--reason', 'stolen']),
        0,
      );
      expect(cancelled.stdout).toContain(`card ${SERIAL}: cancelled`);

      simulator.kill('SIGTERM');
      const stopped = exited(await simulatorDone, 0);
      expect(stopped.stdout).toContain('virtual PIV card detached');
      simulator = undefined;

      // No card in the reader now: the command says so and exits.
      const empty = await cli(['card', 'status', '--reader', 'Virtual PCD']);
      expect(empty.signal).toBeNull();
      expect(empty.code).not.toBe(0);
      expect(empty.stderr).toMatch(/careid card status: .*\[CARD_/);
    }, 300_000);

    it('with pcscd unreachable, the reader commands fail at once (exit 3) and cancel still works', async () => {
      const down = { PCSCLITE_CSOCK_NAME: join(dir, 'no-pcscd.comm') };
      const status = exited(await cli(['card', 'status'], { env: down }), 3);
      expect(status.stderr).toContain('[CARD_TRANSPORT]');
      const record = exited(
        await cli(['card', 'record', '--store', store, '--serial', SERIAL], { env: down }),
        0,
      );
      expect(record.stdout).toContain(`card ${SERIAL}: cancelled`);
    }, 120_000);
  },
);
