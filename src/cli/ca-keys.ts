import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { type Signer, softwareSigner } from '../pki/index.js';
import { openEnvelope, sealEnvelope } from '../ra/smartcards/sealed-envelope.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The CA's private keys (root, issuing, OCSP responder, and the PIV content signer that
 * signs each card's CHUID) sealed under the vault key
 * that also seals the card secrets, in the same envelope: one file, never a plain JWK. The
 * additional authenticated data names the file's purpose, so a card's sealed secrets copied
 * over it do not open.
 */
const AAD = Buffer.from('careid CA keys v1');
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export const CA_ROLES = ['root', 'issuing', 'ocsp'] as const;
export type CaRole = (typeof CA_ROLES)[number];

const jwkSchema = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), d: z.string() });
/** The content signer's key: absent from files sealed before the CLI signed CHUIDs. */
const keysSchema = z.object({
  root: jwkSchema,
  issuing: jwkSchema,
  ocsp: jwkSchema,
  content: jwkSchema.optional(),
});

type Jwks = Record<CaRole, webcrypto.JsonWebKey> & { content?: webcrypto.JsonWebKey };

/** The opened keys: the three CA roles and the PIV content signer. */
export type CaKeys = Record<CaRole | 'content', Signer>;

function seal(key: Uint8Array, jwks: Jwks): Uint8Array {
  const plain = Buffer.from(JSON.stringify(jwks), 'utf8');
  const sealed = sealEnvelope(key, plain, AAD);
  plain.fill(0);
  return sealed;
}

function unseal(key: Uint8Array, sealed: Uint8Array, path: string): Jwks {
  const bad = (message: string, cause?: unknown) =>
    new ValidationError('CA keys', [{ field: path, message }], { cause });
  const plain = openEnvelope(key, sealed, AAD);
  if (plain === 'format') throw bad('the file is not sealed CA keys in a known format');
  if (plain === 'key') throw bad('the CA keys do not open with this CAREID_VAULT_KEY');
  const parsed = keysSchema.safeParse(JSON.parse(Buffer.from(plain).toString('utf8')));
  plain.fill(0);
  if (!parsed.success) throw bad('the sealed CA keys are malformed', parsed.error);
  return parsed.data as Jwks;
}

async function signerOf(jwk: webcrypto.JsonWebKey): Promise<Signer> {
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, ALGORITHM, false, ['sign']);
  // The public half: the JWK without its private scalar and its signing-only key_ops.
  const { d: _private, key_ops: _ops, ...publicJwk } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, ALGORITHM, true, ['verify']);
  return softwareSigner({ privateKey, publicKey });
}

/** Whether sealed CA keys exist at `path`. */
export function caKeysExist(path: string): boolean {
  return existsSync(path);
}

async function newJwk(): Promise<webcrypto.JsonWebKey> {
  const pair = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  return webcrypto.subtle.exportKey('jwk', pair.privateKey);
}

/** Generates the CA keys and the content signer's (P-256) and writes them sealed, atomically, to `path`. */
export async function createCaKeys(path: string, vaultKey: Uint8Array): Promise<void> {
  const jwks = {} as Jwks;
  for (const role of CA_ROLES) jwks[role] = await newJwk();
  jwks.content = await newJwk();
  writeFileAtomic(path, seal(vaultKey, jwks));
}

/**
 * Opens the sealed CA keys at `path` as signers. A file sealed before the CLI signed CHUIDs
 * has no content-signing key: one is generated and the file sealed again (atomically).
 */
export async function openCaKeys(path: string, vaultKey: Uint8Array): Promise<CaKeys> {
  const jwks = unseal(vaultKey, new Uint8Array(readFileSync(path)), path);
  if (jwks.content === undefined) {
    jwks.content = await newJwk();
    writeFileAtomic(path, seal(vaultKey, jwks));
  }
  return {
    root: await signerOf(jwks.root),
    issuing: await signerOf(jwks.issuing),
    ocsp: await signerOf(jwks.ocsp),
    content: await signerOf(jwks.content),
  };
}

/**
 * Replaces the PIV content signer's key in the sealed CA keys at `path` with a new one
 * (its certificate was revoked: a key compromise, or any reason not to sign with it again),
 * sealed again atomically, and returns its signer.
 *
 * @throws VALIDATION when the vault key does not open the file.
 */
export async function rotateContentKey(path: string, vaultKey: Uint8Array): Promise<Signer> {
  const jwks = unseal(vaultKey, new Uint8Array(readFileSync(path)), path);
  jwks.content = await newJwk();
  writeFileAtomic(path, seal(vaultKey, jwks));
  return signerOf(jwks.content);
}

/** Where careid 0.1's CLI kept each CA key: a plain JWK file per role. */
const legacyJwkPath = (caDir: string, role: CaRole) => join(caDir, `${role}.jwk.json`);

/**
 * Seals the plain JWK files an earlier careid CLI wrote (`<ca-dir>/{root,issuing,ocsp}.jwk.json`)
 * into `path` under the vault key, then deletes them. Returns whether it did.
 *
 * @throws VALIDATION when a JWK file is malformed (the plain files are left as they were).
 */
export function sealLegacyCaKeys(caDir: string, path: string, vaultKey: Uint8Array): boolean {
  if (existsSync(path) || !CA_ROLES.every((role) => existsSync(legacyJwkPath(caDir, role)))) {
    return false;
  }
  const jwks = {} as Jwks;
  for (const role of CA_ROLES) {
    jwks[role] = JSON.parse(
      readFileSync(legacyJwkPath(caDir, role), 'utf8'),
    ) as webcrypto.JsonWebKey;
  }
  const parsed = keysSchema.safeParse(jwks);
  if (!parsed.success) {
    throw new ValidationError('CA keys', [
      { field: caDir, message: 'the plain JWK files of an earlier careid are malformed' },
    ]);
  }
  writeFileAtomic(path, seal(vaultKey, jwks));
  for (const role of CA_ROLES) rmSync(legacyJwkPath(caDir, role));
  return true;
}
