import { execFile } from 'node:child_process';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachToVpcd,
  CardRemovedError,
  connectVirtualCard,
  DEFAULT_MANAGEMENT_KEY,
  NON_FEDERAL_FASCN,
  PivSession,
  VirtualPivCard,
  type VpcdLink,
} from '../../src/card/index.js';
import { PcscContext, type PcscEvent } from '../../src/card/pcsc/index.js';
import { runCardCommand } from '../../src/cli/main.js';
import { OPERATIONS } from './operations.js';
import {
  acquireStackLock,
  releaseStackLock,
  stackUnavailableReason,
  startStack,
  VPCD_SOCKET,
} from './pcsc-stack.js';

const run = promisify(execFile);
const READER = 'Virtual PCD 00 00';
const CI = process.env['CI'] === 'true';
const reason = stackUnavailableReason();
// In CI a missing stack is a failure: the suite runs and its beforeAll throws.
const skip = reason !== undefined && !CI;

describe.skipIf(skip)(
  `PC/SC end to end through pcscd and vpcd${skip ? ` (skipped: ${reason})` : ''}`,
  () => {
    let card: VirtualPivCard;
    let link: VpcdLink;
    let pcsc: PcscContext;
    let dir: string;
    const events: PcscEvent[] = [];

    const nextEvent = (type: PcscEvent['type']) =>
      new Promise<void>((resolve) => {
        const stop = pcsc.onEvent((e) => {
          if (e.type === type && e.reader === READER) {
            stop();
            resolve();
          }
        });
      });

    /** Pulls the card, waits until pcscd saw it go, puts it back, waits until it is seen. */
    const reinsert = async () => {
      if (pcsc.cardPresent(READER)) {
        const gone = nextEvent('card-removed');
        card.pull();
        await gone;
      }
      const back = nextEvent('card-inserted');
      card.insert();
      await back;
    };

    const tool = (command: string, args: readonly string[]) =>
      run(command, [...args], { timeout: 30_000, encoding: 'utf8' }).then(
        (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? 1,
          out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
        }),
      );

    beforeAll(async () => {
      if (reason !== undefined)
        throw new Error(`CI=true but the PC/SC stack cannot run: ${reason}`);
      await acquireStackLock();
      startStack();
      dir = mkdtempSync(join(tmpdir(), 'careid-pcsc-'));
      card = new VirtualPivCard();
      link = attachToVpcd(card, { path: VPCD_SOCKET });
      await link.connected;
      pcsc = await PcscContext.open();
      pcsc.onEvent((e) => events.push(e));
      await (await pcsc.connect({ reader: READER, timeoutMs: 10_000 })).close();
    }, 300_000);

    afterAll(async () => {
      pcsc?.close();
      await link?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      releaseStackLock();
    });

    it('sees the vpcd readers and the card arrive, with the simulator ATR', async () => {
      expect(pcsc.readers).toContain(READER);
      expect(events).toContainEqual({ type: 'reader-added', reader: READER });
      expect(events).toContainEqual({ type: 'card-inserted', reader: READER });
      const connection = await pcsc.connect({ reader: 'virtual pcd 00 00' });
      expect(connection.atr).toEqual(card.atr);
      await connection.close();
    });

    it('drives the simulator through every PivSession operation over pcscd', async () => {
      const connection = await pcsc.connect({ reader: READER });
      try {
        for (const [name, operation] of OPERATIONS) {
          // The same exchanges as in process: same APDU count, same kind of result.
          const local = await PivSession.open(connectVirtualCard(new VirtualPivCard()));
          const localStart = local.apduCount;
          const expected = await operation(local);
          card.factoryReset();
          const piv = await PivSession.open(connection);
          const start = piv.apduCount;
          const result = await operation(piv);
          expect(piv.apduCount - start, name).toBe(local.apduCount - localStart);
          expect(typeof result, name).toBe(typeof expected);
        }
        // And the results are real: sign over pcscd, verify with node.
        card.factoryReset();
        const piv = await PivSession.open(connection);
        await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
        const spki = await piv.generateKey(0x9a, 'P-384');
        const signer = piv.signer({
          publicKey: spki,
          pin: '123456',
          algorithm: { kind: 'ecdsa', curve: 'P-384', hash: 'SHA-384' },
        });
        const message = Buffer.from('tbsCertificate');
        const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        expect(verify('sha384', message, key, await signer.sign(message))).toBe(true);
      } finally {
        await connection.close();
      }
    });

    it('closing leaves the card powered (SCARD_LEAVE_CARD): the PIN stays verified for the next connection', async () => {
      card.factoryReset();
      const first = await pcsc.connect({ reader: READER });
      await (await PivSession.open(first)).verifyPin('123456');
      await first.close();
      const second = await pcsc.connect({ reader: READER });
      expect((await (await PivSession.open(second)).pinStatus()).verified).toBe(true);
      await second.close();
    });

    // Every step of two operations that cover mutual auth, key generation, VERIFY,
    // signing, chained PUT DATA and GET RESPONSE (in process, every operation: removal.test.ts).
    for (const name of [
      'generate P-256 + sign',
      'writeCertificate+readCertificate (chained, GET RESPONSE)',
    ]) {
      it(`${name}: a card pulled at each APDU surfaces as CARD_REMOVED; the reader reconnects`, async () => {
        const operation = OPERATIONS.find(([n]) => n === name)![1];
        card.factoryReset();
        const probe = await pcsc.connect({ reader: READER });
        const counted = await PivSession.open(probe);
        const start = counted.apduCount;
        await operation(counted);
        const steps = counted.apduCount - start;
        await probe.close();
        expect(steps).toBeGreaterThanOrEqual(5);
        for (let step = 0; step < steps; step += 1) {
          card.factoryReset();
          const connection = await pcsc.connect({ reader: READER });
          const piv = await PivSession.open(connection);
          const gone = nextEvent('card-removed');
          card.pullAfter(step);
          await expect(operation(piv), `step ${step}`).rejects.toBeInstanceOf(CardRemovedError);
          await expect(piv.pinStatus()).rejects.toBeInstanceOf(CardRemovedError);
          await connection.close();
          await gone;
          const back = nextEvent('card-inserted');
          card.insert();
          await back;
          const again = await pcsc.connect({ reader: READER });
          await expect(operation(await PivSession.open(again))).resolves.toBeDefined();
          await again.close();
        }
      });
    }

    it('interop: yubico-piv-tool reads status, changes and unblocks the PIN, generates a key and imports a certificate', async () => {
      card.factoryReset();
      await reinsert();
      const y = (...args: string[]) => tool('yubico-piv-tool', ['-r', 'Virtual', ...args]);
      const status = await y('-a', 'status');
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(/PIN tries left:\s*3/);
      expect((await y('-a', 'change-pin', '-P', '123456', '-N', '654321')).code).toBe(0);
      for (let i = 0; i < 3; i += 1) await y('-a', 'verify-pin', '-P', '000000');
      expect((await y('-a', 'status')).out).toMatch(/PIN tries left:\s*0/);
      const unblock = await y('-a', 'unblock-pin', '-P', '12345678', '-N', '246810');
      expect(unblock.code, unblock.out).toBe(0);
      const pub = join(dir, 'pub.pem');
      const generate = await y('-a', 'generate', '-s', '9a', '-A', 'ECCP256', '-o', pub);
      expect(generate.code, generate.out).toBe(0);
      // yubico-piv-tool 2.2.0 cannot self-sign with OpenSSL 3 (Yubico/yubico-piv-tool#388):
      // openssl issues the certificate for the card's public key instead.
      const caKey = join(dir, 'ca.key');
      const cert = join(dir, 'cert.pem');
      await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
      await run('openssl', [
        'x509',
        '-new',
        '-subj',
        '/CN=careid interop',
        '-force_pubkey',
        pub,
        '-key',
        caKey,
        '-days',
        '30',
        '-out',
        cert,
      ]);
      const imported = await y('-a', 'import-certificate', '-s', '9a', '-i', cert);
      expect(imported.code, imported.out).toBe(0);
      expect((await y('-a', 'status')).out).toContain('CN=careid interop');

      // The other way: careid reads what yubico-piv-tool wrote, and signs with its key.
      const connection = await pcsc.connect({ reader: READER });
      try {
        const piv = await PivSession.open(connection);
        const der = await piv.readCertificate(0x9a);
        const x509 = new X509Certificate(readFileSync(cert));
        expect(Buffer.from(der!)).toEqual(x509.raw);
        await expect(piv.verifyPin('123456')).rejects.toMatchObject({ code: 'CARD_PIN_INCORRECT' });
        await piv.verifyPin('246810');
        const publicKey = new Uint8Array(x509.publicKey.export({ type: 'spki', format: 'der' }));
        const signer = piv.signer({
          publicKey,
          algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' },
        });
        const message = Buffer.from('signed by careid with a key yubico-piv-tool generated');
        expect(verify('sha256', message, x509.publicKey, await signer.sign(message))).toBe(true);
      } finally {
        await connection.close();
      }
    });

    it('interop: OpenSC lists the certificate and pkcs11-tool signs with the key, verified by openssl', async () => {
      card.factoryReset();
      const connection = await pcsc.connect({ reader: READER });
      const piv = await PivSession.open(connection);
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
      const spki = await piv.generateKey(0x9a, 'P-256');
      await piv.writeChuid({
        fascn: NON_FEDERAL_FASCN,
        guid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        expiry: '20291231',
      });
      const pub = join(dir, 'opensc-pub.pem');
      writeFileSync(
        pub,
        createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({
          type: 'spki',
          format: 'pem',
        }),
      );
      const caKey = join(dir, 'opensc-ca.key');
      const certPem = join(dir, 'opensc-cert.pem');
      await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
      await run('openssl', [
        'x509',
        '-new',
        '-subj',
        '/CN=careid opensc',
        '-force_pubkey',
        pub,
        '-key',
        caKey,
        '-days',
        '30',
        '-out',
        certPem,
      ]);
      await piv.writeCertificate(
        0x9a,
        new Uint8Array(new X509Certificate(readFileSync(certPem)).raw),
      );
      await connection.close();
      await reinsert(); // a fresh card state for OpenSC

      const list = await tool('pkcs15-tool', ['--reader', READER, '--list-certificates']);
      expect(list.code, list.out).toBe(0);
      expect(list.out).toContain('Certificate for PIV Authentication');
      const data = join(dir, 'data.txt');
      const sig = join(dir, 'data.sig');
      writeFileSync(data, 'signed through OpenSC PKCS#11');
      const sign = await tool('pkcs11-tool', [
        '--module',
        '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
        '--login',
        '--pin',
        '123456',
        '--sign',
        '--id',
        '01',
        '-m',
        'ECDSA-SHA256',
        '--signature-format',
        'openssl',
        '-i',
        data,
        '-o',
        sig,
      ]);
      expect(sign.code, sign.out).toBe(0);
      const check = await tool('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        pub,
        '-signature',
        sig,
        data,
      ]);
      expect(check.out).toContain('Verified OK');
    });

    it('careid card status prints the CHUID, certificates and tries left of the card in the reader', async () => {
      await reinsert(); // OpenSC left the PIN verified; after a power-up the card reports tries again
      const lines: string[] = [];
      const code = await runCardCommand(['card', 'status', '--reader', 'Virtual PCD 00 00'], {
        out: (l) => lines.push(l),
        err: (l) => lines.push(`ERR ${l}`),
      });
      expect(code, lines.join('\n')).toBe(0);
      expect(lines).toContain('CHUID: GUID 3f2504e0-4f89-11d3-9a0c-0305e82c3301, expires 20291231');
      expect(lines.find((l) => l.startsWith('Certificate 9A'))).toMatch(
        /subject CN=careid opensc; expires \d{4}-/,
      );
      expect(lines).toContain('Certificate 9C Digital Signature: none');
      expect(lines).toContain('PIN tries left: 3');
      expect(lines).toContain('PUK tries left: 3');
    });

    it('careid card simulate attaches its own virtual card to vpcd until stopped', async () => {
      const gone = nextEvent('card-removed');
      await link.close();
      await gone;
      const arrived = nextEvent('card-inserted');
      // One process (node --import tsx), so SIGTERM reaches the CLI itself.
      const cli = join(import.meta.dirname, '..', '..', 'scripts', 'pcsc', 'card-cli.ts');
      const child = execFile(process.execPath, [
        '--import',
        'tsx',
        cli,
        'simulate',
        '--vpcd',
        VPCD_SOCKET,
      ]);
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      try {
        await arrived;
        const lines: string[] = [];
        expect(
          await runCardCommand(['status', '--reader', 'Virtual'], {
            out: (l) => lines.push(l),
            err: (l) => lines.push(l),
          }),
        ).toBe(0);
        expect(lines).toContain('CHUID: none');
        expect(lines).toContain('PIN tries left: 3');
      } finally {
        const left = nextEvent('card-removed');
        child.kill('SIGTERM');
        await left;
      }
      // The CLI handles SIGTERM: it detaches the card and exits 0.
      expect(await exited).toBe(0);
      const back = nextEvent('card-inserted');
      link = attachToVpcd(card, { path: VPCD_SOCKET });
      await link.connected;
      await back;
    });
  },
);
