import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachToVpcd,
  connectVirtualCard,
  PivSession,
  VirtualPivCard,
  type VpcdLink,
} from '../../../src/card/index.js';
import { PcscContext } from '../../../src/card/pcsc/index.js';
import { runCardCommand } from '../../../src/cli/main.js';
import { parseCrl } from '../../../src/pki/index.js';
import type { CardReader } from '../../../src/ra/index.js';
import { memoryStore } from '../../../src/storage/index.js';
import {
  acquireStackLock,
  releaseStackLock,
  stackUnavailableReason,
  startStack,
  VPCD_SOCKET,
} from '../../card/pcsc-stack.js';
import { NOW, people } from '../fixtures.js';
import { expectAgreement } from './faults.js';
import { cliStoreFile, inspect, lifecycleWorld, PASSCODE, PHOTO } from './harness.js';

const READER = 'Virtual PCD 00 00';
const CI = process.env['CI'] === 'true';
const reason = stackUnavailableReason();
const skip = reason !== undefined && !CI;
const DAY = 86_400_000;

describe.skipIf(skip)(
  `the smartcard lifecycle through pcscd and vpcd${skip ? ` (skipped: ${reason})` : ''}`,
  () => {
    let card: VirtualPivCard;
    let link: VpcdLink;
    let pcsc: PcscContext;
    let reader: CardReader;

    beforeAll(async () => {
      if (reason !== undefined)
        throw new Error(`CI=true but the PC/SC stack cannot run: ${reason}`);
      await acquireStackLock();
      startStack();
      card = new VirtualPivCard({ serial: 30_000_001 });
      link = attachToVpcd(card, { path: VPCD_SOCKET });
      await link.connected;
      pcsc = await PcscContext.open();
      reader = { name: READER, connect: () => pcsc.connect({ reader: READER, timeoutMs: 10_000 }) };
      await (await reader.connect()).close();
    }, 300_000);

    afterAll(async () => {
      pcsc?.close();
      await link?.close();
      releaseStackLock();
    });

    it('CARD-01..CARD-10 stock, issue, lock, unlock, renew, clear, issue again and cancel on a card behind pcscd, with the same APDUs as in process', async () => {
      const w = await lifecycleWorld({ store: memoryStore() });
      await w.ra.smartcards.stock(people.agent, {}, reader);
      const issueInput = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
      const issued = await w.ra.smartcards.issue(people.agent, issueInput, reader);
      expect(issued.card.status).toBe('issued');

      // The same issue in process sends exactly as many APDUs.
      const local = new VirtualPivCard({ serial: 30_000_002 });
      const localReader: CardReader = {
        name: 'local',
        connect: async () => connectVirtualCard(local),
      };
      await w.ra.smartcards.stock(people.agent, {}, localReader);
      const localIssue = await w.ra.smartcards.issue(people.agent, issueInput, localReader);
      expect(issued.apdus).toBe(localIssue.apdus);

      // CARD-02: three wrong passcodes through pcscd lock it.
      const connection = await reader.connect();
      const piv = await PivSession.open(connection);
      for (const wrong of ['111111', '222222', '333333']) {
        await expect(piv.verifyPin(wrong)).rejects.toBeDefined();
      }
      await connection.close();
      const unlocked = await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: '13572468', userPresent: true },
        reader,
      );
      expect(unlocked.card.status).toBe('issued');

      w.setClock(new Date(Date.parse(issued.certificate!.notAfter) - 30 * DAY));
      const renewed = await w.ra.smartcards.renew(
        people.agent,
        { passcode: '13572468', userPresent: true },
        reader,
      );
      expect(renewed.revoked).toEqual([issued.certificate!.serial]);

      const cleared = await w.ra.smartcards.clear(people.agent, {}, reader);
      expect(cleared.card.status).toBe('stock');
      const again = await w.ra.smartcards.issue(people.agent, issueInput, reader);
      const cancelled = await w.ra.smartcards.cancel(people.agent, {
        serial: again.card.serial,
        reason: 'stolen',
      });
      expect(cancelled.revoked).toEqual([again.certificate!.serial]);
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(again.certificate!.serial)?.reason).toBe('keyCompromise');
      expect((await inspect(card)).holder).toBe(w.holder);
    }, 60_000);

    it('CARD-01 a card pulled mid-issue behind pcscd: typed CARD_REMOVED, store, CA and card agree, the rerun succeeds', async () => {
      card.factoryReset();
      const w = await lifecycleWorld({ store: memoryStore() });
      await w.ra.smartcards.stock(people.agent, {}, reader);
      const input = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
      const removed = new Promise<void>((resolve) => {
        const stop = pcsc.onEvent((e) => {
          if (e.type === 'card-removed' && e.reader === READER) {
            stop();
            resolve();
          }
        });
      });
      card.pullAfter(8); // after the key is generated, before the certificate is written
      await expect(w.ra.smartcards.issue(people.agent, input, reader)).rejects.toMatchObject({
        code: expect.stringMatching(/^CARD_(REMOVED|TRANSPORT)$/),
      });
      await removed;
      const inserted = new Promise<void>((resolve) => {
        const stop = pcsc.onEvent((e) => {
          if (e.type === 'card-inserted' && e.reader === READER) {
            stop();
            resolve();
          }
        });
      });
      card.insert();
      await inserted;
      const cards = new Map([['0030000001', card]]);
      await expectAgreement(w.store, w.holder, cards);
      const done = await w.ra.smartcards.issue(people.agent, input, reader);
      expect(done.card.status).toBe('issued');
      await expectAgreement(w.store, w.holder, cards);
    }, 60_000);

    it('CARD-01 CARD-10 the careid card CLI issues and cancels through pcscd (--reader) on a SQLite store (--store)', async () => {
      card.factoryReset();
      const dir = mkdtempSync(join(tmpdir(), 'careid-cli-pcsc-'));
      try {
        const { path, uuid, photo } = await cliStoreFile(dir);
        const lines: string[] = [];
        const io = {
          out: (l: string) => lines.push(l),
          err: (l: string) => lines.push(`ERR ${l}`),
        };
        const common = ['--store', path, '--actor', people.agent, '--reader', 'Virtual PCD'];
        const options = {
          readSecret: async () => PASSCODE,
          clock: () => NOW,
          vaultKey: new Uint8Array(32).fill(5),
        };
        expect(await runCardCommand(['stock', ...common], io, options)).toBe(0);
        expect(
          await runCardCommand(
            ['issue', ...common, '--user', uuid, '--photo', photo, '--user-present'],
            io,
            options,
          ),
        ).toBe(0);
        expect(
          await runCardCommand(
            ['cancel', ...common, '--serial', '0030000001', '--reason', 'stolen'],
            io,
            options,
          ),
        ).toBe(0);
        const text = lines.join('\n');
        expect(text).not.toContain('ERR');
        expect(text).toContain('... generating the key on the card (slot 9A)');
        expect(text).toMatch(/card 0030000001: cancelled/);
        expect((await inspect(card)).holder).toBe(uuid);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
