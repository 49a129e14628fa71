import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  connectVirtualCard,
  holderOfGuid,
  PivSession,
  VirtualPivCard,
} from '../../../src/card/index.js';
import type { IsoDateTime } from '../../../src/domain/index.js';
import {
  createCertificateAuthority,
  generateSoftwareSigner,
  parseCertificate,
} from '../../../src/pki/index.js';
import type { RulePack } from '../../../src/policy/index.js';
import {
  aesGcmKeyVault,
  type CardReader,
  createRegistrationAuthority,
  type KeyVault,
  type OneTimeCodeMessage,
  seed,
  type UnlockCodeStore,
} from '../../../src/ra/index.js';
import { type Store, storeCaRepository, verifyAudit } from '../../../src/storage/index.js';
import { sqliteStore } from '../../../src/storage/sqlite/index.js';
import { AT, applicant, NOW, people, seedData } from '../fixtures.js';
import type { StoreCase } from '../stores.js';

export const PHOTO = Buffer.from('careid test facial image').toString('base64');
export const PASSCODE = '246810';

/** A reader over a virtual card: the in-process port a host hands in per call. */
export function virtualReader(card: VirtualPivCard, name = 'virtual desk reader'): CardReader {
  return { name, connect: async () => connectVirtualCard(card) };
}

/** A session on the card as a test looks at it (its own connection). */
export async function inspect(card: VirtualPivCard) {
  const piv = await PivSession.open(connectVirtualCard(card));
  const der = await piv.readCertificate(0x9a);
  const chuid = await piv.readChuid();
  const pin = await piv.pinStatus();
  return {
    piv,
    certificateSerial: der ? parseCertificate(der).serialHex : undefined,
    holder: chuid ? holderOfGuid(chuid.guid) : undefined,
    pin,
  };
}

/** An RA with a CA over the same store, a vault, a capturing notifier and a settable clock. */
/** AUD-02: the server key the test RAs keep one-time codes under, with a shared code store. */
export const UNLOCK_CODE_KEY = new Uint8Array(32).fill(9);

export async function lifecycleWorld(
  made: { store: Store },
  options: {
    pack?: RulePack;
    vault?: KeyVault;
    caStore?: Store;
    unlockCodes?: UnlockCodeStore;
    /** Sign every CHUID with a content-signing certificate from the CA. */
    signChuid?: boolean;
    /** The card holder's profile as created (default: the `applicant` fixture). */
    applicant?: typeof applicant;
    /** WebAuthn relying-party settings (AUTH-03). */
    webauthn?: { rpId: string; rpName: string; origins: string[] };
  } = {},
) {
  const { store } = made;
  await seed(store, seedData, { at: AT, by: 'test-seed' });
  let now = NOW;
  const clock = () => now;
  const sent: OneTimeCodeMessage[] = [];
  const ca = await createCertificateAuthority({
    settings: {
      root: { commonName: 'careid Test Root' },
      issuing: { commonName: 'careid Test Issuing' },
      crlUrl: 'http://pki.careid.test/issuing.crl',
      ocspUrl: 'http://ocsp.careid.test/',
    },
    now: NOW,
    repository: storeCaRepository(options.caStore ?? store),
  });
  const keyVault = options.vault ?? aesGcmKeyVault({ key: new Uint8Array(32).fill(7) });
  const contentSigner = options.signChuid
    ? await generateSoftwareSigner({ kind: 'ecdsa', curve: 'P-256' })
    : undefined;
  const chuidSigner = contentSigner && {
    signer: contentSigner,
    certificate: (await ca.issueContentSigner({ publicKey: contentSigner.publicKey, now: NOW }))
      .certificate,
  };
  const ra = createRegistrationAuthority({
    store,
    clock,
    certificateAuthority: ca,
    keyVault,
    notifier: { send: async (m) => void sent.push(m) },
    ...(options.pack ? { pack: options.pack } : {}),
    ...(chuidSigner ? { chuidSigner } : {}),
    ...(options.webauthn ? { webauthn: options.webauthn } : {}),
    ...(options.unlockCodes
      ? { unlockCodes: options.unlockCodes, unlockCodeKey: UNLOCK_CODE_KEY }
      : {}),
  });
  const created = await ra.users.create(people.agent, {
    ...(options.applicant ?? applicant),
    contact: { email: 'alex.rivers@nhs.net', emailVerified: true },
  });
  await ra.assignments.assign(people.agent, {
    user: created.uuid,
    position: 'pos-dispenser',
    start: '2026-11-22',
  });
  return {
    store,
    ca,
    ra,
    keyVault,
    sent,
    holder: created.uuid,
    clock,
    setClock: (date: Date) => {
      now = date;
    },
    at: (): IsoDateTime => now.toISOString() as IsoDateTime,
  };
}

/** A blank card taken into stock. */
export async function stockedCard(
  ra: Awaited<ReturnType<typeof lifecycleWorld>>['ra'],
  serial = 10_000_001,
) {
  const card = new VirtualPivCard({ serial });
  const reader = virtualReader(card);
  const stocked = await ra.smartcards.stock(people.agent, {}, reader);
  return { card, reader, serial: stocked.card.serial };
}

/** Every audit event, in order. */
export async function auditEvents(store: Store) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await store.transaction((tx) =>
      tx.audit.read({ limit: 500, ...(cursor ? { cursor } : {}) }),
    );
    out.push(...page.items.map((r) => r.event));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** AUD-01/AUD-02: the chain verifies and no secret appears anywhere in it. */
export async function auditIsClean(store: Store, secrets: readonly string[]) {
  const verified = await verifyAudit(store);
  const text = JSON.stringify(await auditEvents(store));
  return { ok: verified.ok, leaked: secrets.filter((s) => s.length > 0 && text.includes(s)) };
}

export type { StoreCase };

/**
 * What the card CLI runs on: a seeded SQLite store file in `dir` with an applicant in a
 * position (the store closed again, as between invocations), and a photo file.
 */
export async function cliStoreFile(dir: string) {
  const path = join(dir, 'ra.sqlite');
  const store = sqliteStore(path);
  await seed(store, seedData, { at: AT, by: 'test-seed' });
  const ra = createRegistrationAuthority({ store, clock: () => NOW });
  const { uuid } = await ra.users.create(people.agent, applicant);
  await ra.assignments.assign(people.agent, {
    user: uuid,
    position: 'pos-dispenser',
    start: '2026-11-22',
  });
  await store.close();
  const photo = join(dir, 'photo.jpg');
  writeFileSync(photo, 'a facial image');
  return { path, uuid, photo };
}
