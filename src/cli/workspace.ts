import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { IsoDateTime } from '../domain/index.js';
import {
  aesGcmKeyVault,
  type ChuidSigner,
  createRegistrationAuthority,
  type KeyVault,
  NotFoundError,
  type RegistrationAuthority,
  type SealedStorage,
  type Store,
  storeCaRepository,
  ValidationError,
} from '../index.js';
import { type ParsedCertificate, verifyCertificateSignature } from '../pki/certificate.js';
import {
  type CaSettingsInput,
  type CertificateAuthority,
  type CertificateStatus,
  createCertificateAuthority,
  parseCertificate,
  type RevocationReason,
} from '../pki/index.js';
import { OID_KP_PIV_CONTENT_SIGNING } from '../pki/oids.js';
import { type FlagSpecs, type Flags, UsageError } from './args.js';
import { writeFileAtomic } from './atomic-file.js';
import {
  caKeysExist,
  createCaKeys,
  openCaKeys,
  rotateContentKey,
  sealLegacyCaKeys,
} from './ca-keys.js';

/** The flags naming the store. */
export const STORE_FLAGS: FlagSpecs = {
  store: {
    type: 'string',
    required: true,
    value: 'URL',
    help: 'the store: a SQLite file path or a postgres:// URL',
  },
  schema: {
    type: 'string',
    value: 'NAME',
    help: 'with a PostgreSQL store, the schema of its tables (default public)',
  },
};

/** The flags naming where the CA keys and the card secrets live. */
export const DIR_FLAGS: FlagSpecs = {
  'ca-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the CA settings and sealed keys (default <store>.ca; required with PostgreSQL)',
  },
  'vault-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the sealed card secrets (default <store>.vault; required with PostgreSQL)',
  },
};

/** The environment variable holding the vault key. */
export const VAULT_KEY_ENV = 'CAREID_VAULT_KEY';

/** Notes shared by the help of every command that opens the CA or the vault. */
export const VAULT_NOTES = [
  `${VAULT_KEY_ENV} (base64, 32 bytes) seals the CA keys and the card secrets; keep it out of`,
  'the store and its backups (e.g. in a secrets manager). Make one with: openssl rand -base64 32',
];

const isPostgres = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** The store URL as it may be printed: a password in it is masked. */
export function printableStoreUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** A store opened by the CLI, with its migration when the adapter has one. */
export type CliStore = Store & { migrate?: () => Promise<number[]> };

/**
 * Opens the store a URL names: PostgreSQL for `postgres://`, else a SQLite file. The
 * adapters load their optional peers on first use, so a missing one is a careid error
 * naming the package to install.
 */
export async function openStore(flags: Flags): Promise<CliStore> {
  const url = flags.required('store');
  const schema = flags.string('schema');
  if (isPostgres(url)) {
    const { postgresStore } = await import('../storage/postgres/index.js');
    return postgresStore(url, schema === undefined ? {} : { schema });
  }
  if (schema !== undefined) {
    throw new ValidationError('careid', [
      { field: '--schema', message: 'applies to a PostgreSQL store only' },
    ]);
  }
  const { sqliteStore } = await import('../storage/sqlite/index.js');
  return sqliteStore(url);
}

/** Where the CA keys and the vault live. */
export interface WorkspaceDirs {
  readonly caDir: string;
  readonly vaultDir: string;
}

/** The CA and vault directories: given, or beside a SQLite file. */
export function workspaceDirs(flags: Flags): WorkspaceDirs {
  const url = flags.required('store');
  const local = !isPostgres(url);
  const caDir = flags.string('ca-dir') ?? (local ? `${url}.ca` : undefined);
  const vaultDir = flags.string('vault-dir') ?? (local ? `${url}.vault` : undefined);
  if (caDir === undefined || vaultDir === undefined) {
    throw new UsageError('careid: with a PostgreSQL store, give --ca-dir and --vault-dir');
  }
  return { caDir, vaultDir };
}

/** The vault key from `CAREID_VAULT_KEY` (base64, 32 bytes). */
export function vaultKeyFrom(env: NodeJS.ProcessEnv): Uint8Array {
  const text = env[VAULT_KEY_ENV];
  const key = text === undefined ? undefined : Buffer.from(text, 'base64');
  if (key === undefined || key.length !== 32) {
    throw new ValidationError('careid', [
      {
        field: VAULT_KEY_ENV,
        message:
          text === undefined
            ? `set ${VAULT_KEY_ENV} to a base64 32-byte key (openssl rand -base64 32)`
            : `must be 32 bytes in base64 (it is ${key?.length ?? 0})`,
      },
    ]);
  }
  return new Uint8Array(key);
}

/** Sealed blobs as files in a directory, one per card serial (mode 0600, written atomically). */
export function directorySealedStorage(dir: string): SealedStorage {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (serial: string) => join(dir, `${serial.replace(/[^0-9]/g, '')}.sealed`);
  return {
    async get(serial) {
      try {
        return new Uint8Array(readFileSync(file(serial)));
      } catch {
        return undefined;
      }
    },
    async put(serial, sealed) {
      writeFileAtomic(file(serial), sealed);
    },
    async delete(serial) {
      rmSync(file(serial), { force: true });
    },
  };
}

/** The card-secret vault of a workspace. */
export function workspaceVault(dirs: WorkspaceDirs, key: Uint8Array): KeyVault {
  return aesGcmKeyVault({ key, storage: directorySealedStorage(dirs.vaultDir) });
}

const settingsPath = (dirs: WorkspaceDirs) => join(dirs.caDir, 'settings.json');
const keysPath = (dirs: WorkspaceDirs) => join(dirs.caDir, 'keys.sealed');
const contentSignerPath = (dirs: WorkspaceDirs) => join(dirs.caDir, 'content-signer.der');
/** A content-signing certificate this close to its end is replaced before it signs a card. */
const CONTENT_SIGNER_RENEW_MS = 30 * 86_400_000;

/** The CA names and URLs used when a card command finds no CA set up by `careid init`. */
export const DEFAULT_CA_SETTINGS: CaSettingsInput = {
  root: { commonName: 'careid Root CA' },
  issuing: { commonName: 'careid Issuing CA' },
  crlUrl: 'http://pki.careid.invalid/issuing.crl',
  ocspUrl: 'http://ocsp.careid.invalid/',
};

/** Whether the workspace holds a CA (its sealed keys). */
export function hasCa(dirs: WorkspaceDirs): boolean {
  return caKeysExist(keysPath(dirs));
}

/**
 * Brings a CA directory of careid 0.1's CLI (plain JWK files, the default names and URLs)
 * to this one: the keys sealed under the vault key, the plain files deleted, the settings
 * written. Returns whether it did.
 */
export function upgradeLegacyCa(dirs: WorkspaceDirs, vaultKey: Uint8Array): boolean {
  if (!sealLegacyCaKeys(dirs.caDir, keysPath(dirs), vaultKey)) return false;
  if (!existsSync(settingsPath(dirs))) {
    writeFileAtomic(settingsPath(dirs), `${JSON.stringify(DEFAULT_CA_SETTINGS, null, 2)}\n`);
  }
  return true;
}

/**
 * Creates the workspace's CA: keys generated and sealed under the vault key (written
 * first, atomically), the settings beside them, then the CA certificates in the store.
 *
 * @throws VALIDATION when the settings are malformed; nothing is written then.
 */
export async function createWorkspaceCa(
  store: Store,
  dirs: WorkspaceDirs,
  vaultKey: Uint8Array,
  settings: CaSettingsInput,
  now: Date,
): Promise<CertificateAuthority> {
  const stored = await storeCaRepository(store).loadAuthorities();
  if (stored.length > 0) {
    throw new ValidationError('careid init', [
      {
        field: '--ca-dir',
        message: `the store already holds a CA, but its keys are not in ${dirs.caDir}`,
      },
    ]);
  }
  // The settings are checked (a throwaway CA in memory) before any key is made or file
  // written: a bad URL leaves nothing behind.
  await createCertificateAuthority({ settings, now });
  mkdirSync(dirs.caDir, { recursive: true, mode: 0o700 });
  await createCaKeys(keysPath(dirs), vaultKey);
  writeFileAtomic(settingsPath(dirs), `${JSON.stringify(settings, null, 2)}\n`);
  return openWorkspaceCa(store, dirs, vaultKey, now);
}

/**
 * Opens the workspace's CA from its sealed keys and settings.
 *
 * @throws VALIDATION when there is no CA in the workspace, or the vault key does not open it.
 */
export async function openWorkspaceCa(
  store: Store,
  dirs: WorkspaceDirs,
  vaultKey: Uint8Array,
  now: Date,
): Promise<CertificateAuthority> {
  upgradeLegacyCa(dirs, vaultKey);
  if (!hasCa(dirs)) {
    throw new ValidationError('careid', [
      { field: '--ca-dir', message: `no CA in ${dirs.caDir}: run careid init first` },
    ]);
  }
  const keys = await openCaKeys(keysPath(dirs), vaultKey);
  let settings: CaSettingsInput;
  try {
    // A workspace made before CARD-04 moved to the pack may hold `validityDays`: the pack's
    // certificateLifeYears governs now, so it is dropped.
    const { validityDays: _moved, ...read } = JSON.parse(
      readFileSync(settingsPath(dirs), 'utf8'),
    ) as CaSettingsInput & { validityDays?: unknown };
    settings = read;
  } catch (cause) {
    throw new ValidationError(
      'careid',
      [{ field: '--ca-dir', message: `cannot read ${settingsPath(dirs)}` }],
      { cause },
    );
  }
  return createCertificateAuthority({
    settings,
    now,
    repository: storeCaRepository(store),
    rootSigner: keys.root,
    issuingSigner: keys.issuing,
    ocspSigner: keys.ocsp,
  });
}

/**
 * The workspace's PIV content signer (SP 800-73-4 CHUID signature): its key sealed with the
 * CA keys, its certificate from the workspace CA kept in `<ca-dir>/content-signer.der` and
 * recorded in the CA's repository, so that `careid ca revoke-content-signer` can revoke it.
 * The certificate is issued when missing, when its key is not the sealed one, or within
 * 30 days of its end, and written atomically. A revoked one is never used again: the key is
 * replaced (a revocation usually means it was compromised) and a new certificate issued. A
 * certificate this CA issued before content signers were recorded is recorded now.
 *
 * @throws VALIDATION when the vault key does not open the CA keys; PKI_* from the CA.
 */
export async function workspaceChuidSigner(
  store: Store,
  dirs: WorkspaceDirs,
  vaultKey: Uint8Array,
  ca: CertificateAuthority,
  now: Date,
): Promise<ChuidSigner> {
  let { content: signer } = await openCaKeys(keysPath(dirs), vaultKey);
  const path = contentSignerPath(dirs);
  if (existsSync(path)) {
    const certificate = new Uint8Array(readFileSync(path));
    const parsed = parseCertificate(certificate);
    const sameKey = Buffer.from(parsed.publicKey.spki).equals(Buffer.from(signer.publicKey));
    const status = await recordedStatus(store, ca, parsed);
    if (status === 'revoked' && sameKey) {
      signer = await rotateContentKey(keysPath(dirs), vaultKey);
    } else if (
      status === 'good' &&
      sameKey &&
      parsed.notAfter.getTime() - now.getTime() > CONTENT_SIGNER_RENEW_MS
    ) {
      return { signer, certificate };
    }
  }
  const { certificate } = await ca.issueContentSigner({ publicKey: signer.publicKey, now });
  writeFileAtomic(path, certificate);
  return { signer, certificate };
}

/**
 * The CA's status of a content-signing certificate; one this CA issued before content
 * signers were recorded is recorded first (so it can be revoked), and is then `good`.
 */
async function recordedStatus(
  store: Store,
  ca: CertificateAuthority,
  cert: ParsedCertificate,
): Promise<CertificateStatus['status']> {
  const status = (await ca.status(cert.serialHex)).status;
  if (status !== 'unknown' || !(await issuedBy(cert, ca))) return status;
  await storeCaRepository(store).insertIssued({
    purpose: 'content-signer',
    serialHex: cert.serialHex,
    certificate: cert.der,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  });
  return 'good';
}

/** Whether the workspace CA's issuing CA signed `cert` (and it is a content signer's). */
async function issuedBy(cert: ParsedCertificate, ca: CertificateAuthority): Promise<boolean> {
  const issuing = parseCertificate(ca.issuingCertificate);
  if (!Buffer.from(cert.issuerDer).equals(Buffer.from(issuing.subjectDer))) return false;
  if (!cert.extendedKeyUsage?.includes(OID_KP_PIV_CONTENT_SIGNING)) return false;
  return verifyCertificateSignature(cert, issuing.publicKey);
}

/** Certificates read per page when looking for a key's content-signing certificates. */
const SCAN_PAGE = 500;
/** Later than any `notAfter`: every certificate. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z' as IsoDateTime;

/** The serials of the active content-signing certificates of the key `spki`, in one read. */
async function activeContentSigners(store: Store, spki: Uint8Array): Promise<string[]> {
  return store.transaction(async (tx) => {
    const serials: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tx.certificates.expiring(
        { before: END_OF_TIME, status: 'active' },
        { limit: SCAN_PAGE, ...(cursor === undefined ? {} : { cursor }) },
      );
      for (const c of page.items) {
        if (c.purpose !== 'content-signer') continue;
        const key = parseCertificate(c.der).publicKey.spki;
        if (Buffer.from(key).equals(Buffer.from(spki))) serials.push(c.serial);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return serials;
  });
}

/**
 * Revokes the workspace's PIV content signer (`<ca-dir>/content-signer.der`) with an RFC
 * 5280 reason: every active certificate the CA issued for its key (a re-issued one too),
 * then replaces the key and issues a new certificate. Returns the revoked serials and the
 * new one. Cards signed before keep a CHUID signed by the revoked certificate: re-write
 * them (`careid card repair`) for relying parties that check the CRL or OCSP.
 *
 * @throws VALIDATION when there is no content signer in the workspace; PKI_REVOKED when
 * it is already revoked; NOT_FOUND when this CA did not issue it.
 */
export async function revokeWorkspaceContentSigner(
  store: Store,
  dirs: WorkspaceDirs,
  vaultKey: Uint8Array,
  ca: CertificateAuthority,
  reason: RevocationReason,
  now: Date,
): Promise<{ readonly revoked: readonly string[]; readonly replacement: string }> {
  const path = contentSignerPath(dirs);
  if (!existsSync(path)) {
    throw new ValidationError('careid', [
      { field: '--ca-dir', message: `no content signer in ${dirs.caDir}: run careid init first` },
    ]);
  }
  const current = parseCertificate(new Uint8Array(readFileSync(path)));
  await recordedStatus(store, ca, current);
  const revoked = await activeContentSigners(store, current.publicKey.spki);
  // Not among them: already revoked (PKI_REVOKED) or not this CA's (NOT_FOUND), as ca.revoke says.
  if (!revoked.includes(current.serialHex)) await ca.revoke(current.serialHex, reason, now);
  for (const serial of revoked) await ca.revoke(serial, reason, now);
  const next = await workspaceChuidSigner(store, dirs, vaultKey, ca, now);
  return { revoked, replacement: parseCertificate(next.certificate).serialHex };
}

/** An RA over the workspace: its store, CA, vault and CHUID signer. */
export function workspaceRa(
  store: Store,
  ca: CertificateAuthority,
  vault: KeyVault,
  clock: () => Date,
  chuidSigner?: ChuidSigner,
): RegistrationAuthority {
  return createRegistrationAuthority({
    store,
    clock,
    certificateAuthority: ca,
    keyVault: vault,
    ...(chuidSigner === undefined ? {} : { chuidSigner }),
  });
}

/**
 * Checks that `actor` has a profile in the store, so an unknown UUID is told so (the
 * policy engine would otherwise answer for a user with no assignments).
 *
 * @throws NOT_FOUND when there is no such user.
 */
export async function assertActor(store: Store, actor: string): Promise<void> {
  const user = await store.transaction((tx) => tx.users.get(actor as never));
  if (user === undefined) {
    throw new NotFoundError('actor', `${actor} (no user profile with this UUID in the store)`);
  }
}
