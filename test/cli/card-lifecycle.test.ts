import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chuidSignedContent,
  connectVirtualCard,
  PivSession,
  VirtualPivCard,
} from '../../src/card/index.js';
import { main as mainCli, runCardCommand } from '../../src/cli/main.js';
import { parseCertificate, parseCrl, verifyChuidSignature } from '../../src/pki/index.js';
import { storeCaRepository, verifyAudit } from '../../src/storage/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { NOW, people } from '../ra/fixtures.js';
import { cliStoreFile } from '../ra/smartcards/harness.js';

const VAULT_KEY = new Uint8Array(32).fill(9);

describe('careid card lifecycle commands (SQLite store, virtual card)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function setUp() {
    dir = mkdtempSync(join(tmpdir(), 'careid-cli-'));
    const { path, uuid, photo } = await cliStoreFile(dir);
    const card = new VirtualPivCard({ serial: 50_000_001 });
    const secrets: string[] = [];
    let now = NOW;
    const run = async (args: string[], connect = async () => connectVirtualCard(card)) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCardCommand(
        [...args, '--store', path, '--reader', 'Virtual'],
        { out: (l) => out.push(l), err: (l) => err.push(l) },
        {
          connect,
          readSecret: async () => secrets.shift() ?? '',
          clock: () => now,
          vaultKey: VAULT_KEY,
        },
      );
      return { code, out, err };
    };
    const setNow = (date: Date) => {
      now = date;
    };
    return { path, uuid, photo, card, secrets, run, setNow };
  }

  it('CARD-01 CARD-03 CARD-10 an RA agent stocks, issues (key generation progress shown), unlocks and cancels a card across separate invocations; the CA keys and card secrets persist', async () => {
    const t = await setUp();
    const agent = ['--actor', people.agent];
    const stocked = await t.run(['stock', ...agent]);
    expect(stocked.code).toBe(0);
    // No careid init on this store: the first card command makes a CA with the default names.
    expect(stocked.out[0]).toMatch(/^no CA was set up \(careid init\); created one/);
    t.secrets.push('246810');
    const issued = await t.run([
      'issue',
      ...agent,
      '--user',
      t.uuid,
      '--photo',
      t.photo,
      '--user-present',
    ]);
    expect(issued.err).toEqual([]);
    expect(issued.code).toBe(0);
    expect(issued.out).toContain('... generating the key on the card (slot 9A)');
    expect(issued.out.join('\n')).toMatch(/card 0050000001: issued, holder \d{12}/);
    // CARD-11 (issue 14): the CLI signs the CHUID with the workspace's content signer,
    // chained to the workspace's issuing CA.
    const chuid = (await (await PivSession.open(connectVirtualCard(t.card))).readChuid())!;
    const authorities = await storeCaRepository(sqliteStore(t.path)).loadAuthorities();
    const issuing = authorities.find((a) => a.role === 'issuing')!.certificate;
    const { signer } = await verifyChuidSignature({
      content: chuidSignedContent(chuid),
      signature: chuid.issuerSignature!,
      issuer: issuing,
      now: NOW,
    });
    expect(signer.extendedKeyUsage).toContain('2.16.840.1.101.3.6.7');
    // A later invocation opens the same CA (its keys from --ca-dir) and the card's PUK from the vault.
    await (await PivSession.open(connectVirtualCard(t.card))).blockPin();
    t.secrets.push('13572468');
    const refused = await t.run(['unlock', ...agent]);
    expect(refused.code).toBe(1);
    expect(refused.err.join('\n')).toContain('CARD-03 USER_NOT_PRESENT');
    t.secrets.push('13572468');
    const unlocked = await t.run(['unlock', ...agent, '--user-present']);
    expect(unlocked.code).toBe(0);
    await (await PivSession.open(connectVirtualCard(t.card))).verifyPin('13572468');
    const cancelled = await t.run([
      'cancel',
      ...agent,
      '--serial',
      '0050000001',
      '--reason',
      'lost',
    ]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out.join('\n')).toMatch(/card 0050000001: cancelled/);
    expect(cancelled.out.join('\n')).toMatch(/revoked: [0-9a-f]+/);
    // AUD-02: no passcode printed; the audit verifies.
    const all = [issued, unlocked, cancelled].flatMap((r) => [...r.out, ...r.err]).join('\n');
    expect(all).not.toContain('246810');
    expect(all).not.toContain('13572468');
    const store = sqliteStore(t.path);
    expect(await verifyAudit(store)).toMatchObject({ ok: true });
    await store.close();
  });

  it("CARD-10 careid ca revoke-content-signer: the CLI's content signer is in the CA's records; revoked, it is on the CRL, its key is replaced, and a repaired card's CHUID is signed by the new one", async () => {
    const t = await setUp();
    const agent = ['--actor', people.agent];
    expect((await t.run(['stock', ...agent])).code).toBe(0);
    t.secrets.push('246810');
    const issue = ['issue', ...agent, '--user', t.uuid, '--photo', t.photo, '--user-present'];
    expect((await t.run(issue)).code).toBe(0);
    const signerOf = async () => {
      const chuid = (await (await PivSession.open(connectVirtualCard(t.card))).readChuid())!;
      const issuing = (await storeCaRepository(sqliteStore(t.path)).loadAuthorities()).find(
        (a) => a.role === 'issuing',
      )!.certificate;
      return (
        await verifyChuidSignature({
          content: chuidSignedContent(chuid),
          signature: chuid.issuerSignature!,
          issuer: issuing,
          now: NOW,
        })
      ).signer;
    };
    const first = await signerOf();
    const file = `${t.path}.ca/content-signer.der`;
    expect(parseCertificate(new Uint8Array(readFileSync(file))).serialHex).toBe(first.serialHex);
    const row = async (serial: string) => {
      const store = sqliteStore(t.path);
      try {
        return await store.transaction((tx) => tx.certificates.get(serial));
      } finally {
        await store.close();
      }
    };
    expect(await row(first.serialHex)).toMatchObject({
      purpose: 'content-signer',
      status: 'active',
    });

    const main = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await mainCli(
        [...args, '--store', t.path],
        {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
        },
        { clock: () => NOW, vaultKey: VAULT_KEY },
      );
      return { code, out, err };
    };
    const bad = await main(['ca', 'revoke-content-signer', '--reason', 'lost']);
    expect(bad.code).toBe(2);
    expect((await row(first.serialHex))?.status).toBe('active');
    const revoked = await main(['ca', 'revoke-content-signer', '--reason', 'keyCompromise']);
    expect(revoked.err).toEqual([]);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toBe(`revoked content signer ${first.serialHex} (keyCompromise)`);
    expect(await row(first.serialHex)).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'keyCompromise' },
    });
    const replacement = parseCertificate(new Uint8Array(readFileSync(file)));
    expect(replacement.serialHex).not.toBe(first.serialHex);
    expect(replacement.publicKey.spki).not.toEqual(first.publicKey.spki);
    expect(revoked.out[1]).toBe(`new content signer ${replacement.serialHex}, with a new key`);
    expect(await row(replacement.serialHex)).toMatchObject({ purpose: 'content-signer' });

    const exported = await main(['ca', 'export', '--only', 'crl']);
    const crlPem = exported.out.join('\n');
    const crl = parseCrl(
      new Uint8Array(Buffer.from(crlPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')),
    );
    expect(crl.revoked.get(first.serialHex)?.reason).toBe('keyCompromise');
    // Revoked once: asking again names the rule of the CA.
    const again = await main(['ca', 'revoke-content-signer', '--reason', 'keyCompromise']);
    expect(again.code).toBe(0);
    expect(again.out[0]).toBe(`revoked content signer ${replacement.serialHex} (keyCompromise)`);

    // CARD-08: a repair writes the card's CHUID again, signed by the current content signer.
    const current = parseCertificate(new Uint8Array(readFileSync(file)));
    t.secrets.push('246810');
    const repaired = await t.run(['repair', ...agent, '--photo', t.photo, '--user-present']);
    expect(repaired.err).toEqual([]);
    expect((await signerOf()).serialHex).toBe(current.serialHex);
  });

  it('CARD-10 a content signer the CLI issued before the CA recorded them is recorded by the next command, so it can be revoked', async () => {
    const t = await setUp();
    const agent = ['--actor', people.agent];
    expect((await t.run(['stock', ...agent])).code).toBe(0);
    const file = `${t.path}.ca/content-signer.der`;
    const serial = parseCertificate(new Uint8Array(readFileSync(file))).serialHex;
    // As an earlier careid left it: the certificate in the CA directory only.
    const db = new Database(t.path);
    db.prepare('DELETE FROM certificates WHERE serial = ?').run(serial);
    db.close();
    t.secrets.push('246810');
    const issue = ['issue', ...agent, '--user', t.uuid, '--photo', t.photo, '--user-present'];
    expect((await t.run(issue)).code).toBe(0);
    const store = sqliteStore(t.path);
    try {
      expect(await store.transaction((tx) => tx.certificates.get(serial))).toMatchObject({
        purpose: 'content-signer',
        status: 'active',
      });
    } finally {
      await store.close();
    }
    expect(parseCertificate(new Uint8Array(readFileSync(file))).serialHex).toBe(serial);
  });

  it('CARD-05 careid card reconcile: after a renew command died mid-write, it revokes the certificate whose key may be gone from the card and names the card; the renew then runs again', async () => {
    const t = await setUp();
    const agent = ['--actor', people.agent];
    expect((await t.run(['stock', ...agent])).code).toBe(0);
    t.secrets.push('246810');
    const issue = ['issue', ...agent, '--user', t.uuid, '--photo', t.photo, '--user-present'];
    expect((await t.run(issue)).code).toBe(0);
    // A renew whose process dies when it writes the new certificate (PUT DATA): never answered.
    let died: () => void = () => undefined;
    const dead = new Promise<void>((resolve) => {
      died = resolve;
    });
    const dying = async () => {
      const connection = connectVirtualCard(t.card);
      return {
        ...connection,
        transmit: (apdu: Uint8Array) => {
          if (apdu[1] !== 0xdb) return connection.transmit(apdu);
          died();
          return new Promise<never>(() => undefined);
        },
      };
    };
    t.secrets.push('246810');
    t.setNow(new Date('2029-10-22T10:00:00Z')); // in the renewal window (CARD-05)
    void t.run(['renew', ...agent, '--user-present'], dying);
    await dead;
    const swept = await t.run(['reconcile', ...agent, '--older-than', '0']);
    expect(swept.err).toEqual([]);
    expect(swept.code).toBe(0);
    expect(swept.out.join('\n')).toMatch(/reconciled: revoked [0-9a-f]+, [0-9a-f]+/);
    expect(swept.out.join('\n')).toContain('card 0050000001 was left mid-operation');
    t.secrets.push('246810');
    const renewed = await t.run(['renew', ...agent, '--user-present']);
    expect(renewed.err).toEqual([]);
    expect(renewed.out.join('\n')).toMatch(/card 0050000001: issued/);
    const calm = await t.run(['reconcile', ...agent]);
    expect(calm.out).toEqual([
      'reconciled: every active certificate is on an issued or locked card',
    ]);
  });

  it('says what is missing: no --store and no --photo are usage errors (exit 2), a bad passcode is refused (CARD-02)', async () => {
    const t = await setUp();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCardCommand(['issue', '--actor', people.agent], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--store is required');
    await t.run(['stock', '--actor', people.agent]);
    const issue = ['issue', '--actor', people.agent, '--user', t.uuid, '--user-present'];
    t.secrets.push('12');
    const short = await t.run([...issue, '--photo', t.photo]);
    expect(short.code).toBe(1);
    expect(short.err.join('\n')).toContain('CARD-02');
    t.secrets.push('246810');
    const noPhoto = await t.run(issue);
    expect(noPhoto.code).toBe(2);
    expect(noPhoto.err.join('\n')).toContain('--photo is required');
  });
});
