import { createCipheriv, createDecipheriv, randomBytes, webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aesGcmKeyVault,
  type CardReader,
  createRegistrationAuthority,
  memoryStore,
  type RegistrationAuthority,
  type RelyingPartyOptions,
  type SealedStorage,
  type Store,
  storeCaRepository,
} from 'careid';
import { connectVirtualCard, VirtualPivCard } from 'careid/card';
import { createCertificateAuthority, type Signer, softwareSigner } from 'careid/pki';
import { seedDemo } from './people.js';

/** How the desk is started. */
export interface DeskSetupOptions {
  /** A SQLite file or a `postgres://` URL; absent: the in-memory store. */
  readonly store?: string | undefined;
  /** Where a lasting store's sealed CA keys and card secrets live (default: `.desk-data`). */
  readonly dataDir?: string | undefined;
  /** The 32-byte vault key (`CAREID_VAULT_KEY`); needed with a lasting store. */
  readonly vaultKey?: Uint8Array | undefined;
  /**
   * The WebAuthn relying party (AUTH-03): the RP ID and the origins the page is served
   * from. The desk derives it from where it listens (`localhost`); a real deployment gives
   * its own domain and HTTPS origin.
   */
  readonly webauthn: RelyingPartyOptions;
}

/** The RA, its store and the virtual card in the desk's reader. */
export interface DeskSetup {
  readonly store: Store;
  readonly ra: RegistrationAuthority;
  readonly card: VirtualPivCard;
  readonly reader: CardReader;
  readonly storeName: string;
  close(): Promise<void>;
}

async function openStore(url: string | undefined): Promise<Store & { migrate?: () => unknown }> {
  if (url === undefined) return memoryStore();
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { postgresStore } = await import('careid/storage/postgres');
    return postgresStore(url);
  }
  const { sqliteStore } = await import('careid/storage/sqlite');
  return sqliteStore(url.replace(/^sqlite:/, ''));
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const AAD = Buffer.from('careid desk CA keys v1');

/** AES-256-GCM: iv (12) | tag (16) | ciphertext. */
function seal(key: Uint8Array, plain: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Uint8Array, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(AAD);
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

async function signerOf(jwk: webcrypto.JsonWebKey): Promise<Signer> {
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, ECDSA, false, ['sign']);
  const { d: _private, key_ops: _ops, ...publicJwk } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, ECDSA, true, ['verify']);
  return softwareSigner({ privateKey, publicKey });
}

/**
 * The CA's three keys (root, issuing, OCSP responder), sealed under the vault key in one
 * file: a lasting store keeps the CA certificates, so the same keys must sign after a
 * restart. Created on first start.
 */
async function caSigners(file: string, key: Uint8Array) {
  let jwks: Record<'root' | 'issuing' | 'ocsp', webcrypto.JsonWebKey>;
  try {
    jwks = JSON.parse(open(key, readFileSync(file)).toString('utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} does not open with this CAREID_VAULT_KEY`, { cause: error });
    }
    const make = async () => {
      const pair = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
      return webcrypto.subtle.exportKey('jwk', pair.privateKey);
    };
    jwks = { root: await make(), issuing: await make(), ocsp: await make() };
    writeFileSync(file, seal(key, Buffer.from(JSON.stringify(jwks))), { mode: 0o600 });
  }
  return {
    rootSigner: await signerOf(jwks.root),
    issuingSigner: await signerOf(jwks.issuing),
    ocspSigner: await signerOf(jwks.ocsp),
  };
}

/** Card secrets (sealed by the vault) as files, one per card serial. */
function directoryStorage(dir: string): SealedStorage {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (serial: string) => join(dir, `${serial.replace(/\D/g, '')}.sealed`);
  return {
    async get(serial) {
      try {
        return new Uint8Array(readFileSync(file(serial)));
      } catch {
        return undefined;
      }
    },
    async put(serial, sealed) {
      writeFileSync(file(serial), sealed, { mode: 0o600 });
    },
    async delete(serial) {
      rmSync(file(serial), { force: true });
    },
  };
}

/**
 * Opens the store, sets up the CA and the RA, seeds the demo's people on a new store, and
 * puts a blank virtual PIV card in the desk's reader (a fresh serial each start).
 */
export async function setUpDesk(options: DeskSetupOptions): Promise<DeskSetup> {
  const store = await openStore(options.store);
  const lasting = options.store !== undefined;
  if (lasting && options.vaultKey === undefined) {
    throw new Error('a lasting store needs CAREID_VAULT_KEY (openssl rand -base64 32)');
  }
  await store.migrate?.();
  const vaultKey = options.vaultKey ?? new Uint8Array(randomBytes(32));
  const dataDir = options.dataDir ?? '.desk-data';
  if (lasting) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const ca = await createCertificateAuthority({
    settings: {
      root: { commonName: 'careid Desk Root CA' },
      issuing: { commonName: 'careid Desk Issuing CA' },
      crlUrl: 'http://pki.desk.example/issuing.crl',
      ocspUrl: 'http://ocsp.desk.example/',
    },
    now,
    repository: storeCaRepository(store),
    ...(lasting ? await caSigners(join(dataDir, 'ca-keys.sealed'), vaultKey) : {}),
  });
  const ra = createRegistrationAuthority({
    store,
    certificateAuthority: ca,
    keyVault: aesGcmKeyVault({
      key: vaultKey,
      ...(lasting ? { storage: directoryStorage(join(dataDir, 'card-secrets')) } : {}),
    }),
    webauthn: options.webauthn,
  });
  await seedDemo(store, ra, now);
  // A 10-digit serial in series 21 (CARD-07: not an old 01-05 card).
  const card = new VirtualPivCard({
    serial: 2_100_000_000 + Math.floor(Math.random() * 99_999_999),
  });
  const reader: CardReader = {
    name: 'desk virtual reader',
    connect: async () => connectVirtualCard(card),
  };
  const storeName =
    options.store === undefined
      ? 'memory'
      : options.store.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  return {
    store,
    ra,
    card,
    reader,
    storeName,
    close: async () => {
      await store.close();
    },
  };
}
