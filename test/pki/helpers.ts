import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CaRepository,
  type CertificateAuthority,
  type CertificateHolder,
  createCertificateAuthority,
  createCsr,
  generateSoftwareSigner,
  type Signer,
} from '../../src/pki/index.js';
import { certificateNotAfter, nationalPack } from '../../src/policy/index.js';

/** A fixed clock reading for deterministic tests. */
export const T0 = new Date('2026-03-01T09:30:15.789Z');

export const settings = {
  root: { commonName: 'careid Test Root CA', organization: 'careid test' },
  issuing: { commonName: 'careid Test Issuing CA', organization: 'careid test' },
  crlUrl: 'http://pki.careid.test/issuing.crl',
  ocspUrl: 'http://ocsp.careid.test/',
} as const;

export const jane: CertificateHolder = {
  commonName: 'Jane Doe',
  uuid: '555123456789',
  upn: 'jane.doe@nhs.net',
};

/** CARD-04: the end of a card certificate issued at `now` under the national pack (3 years). */
export const life = (now: Date): Date => certificateNotAfter(nationalPack, now);

export async function makeCa(
  now: Date = T0,
  extra: { repository?: CaRepository } = {},
): Promise<CertificateAuthority> {
  return createCertificateAuthority({
    settings,
    now,
    ...(extra.repository === undefined ? {} : { repository: extra.repository }),
  });
}

/** A card-like key and its CSR. */
export async function cardKey(
  spec: Parameters<typeof generateSoftwareSigner>[0] = { kind: 'ecdsa', curve: 'P-256' },
): Promise<{ signer: Signer; csr: Uint8Array }> {
  const signer = await generateSoftwareSigner(spec);
  return { signer, csr: await createCsr(signer, { commonName: 'ignored by the CA' }) };
}

/** PEM armour (RFC 7468). */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'careid-pki-'));
}

export function write(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs openssl; returns stdout+stderr and the exit status, never throws on failure. */
export function openssl(args: readonly string[]): { status: number; output: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * `openssl cms -verify` of a detached CHUID signature (`sig.der` in `dir`) over a content
 * file, against `caFile` (default `chain.pem`, root and issuing CA) in the same folder;
 * with `crlCheck`, every certificate's revocation is checked against CRLs in `caFile`.
 */
export function opensslCmsVerify(
  dir: string,
  contentFile: string,
  options: { readonly caFile?: string; readonly crlCheck?: boolean } = {},
) {
  return openssl([
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-in',
    join(dir, 'sig.der'),
    '-content',
    join(dir, contentFile),
    '-binary',
    '-CAfile',
    join(dir, options.caFile ?? 'chain.pem'),
    ...(options.crlCheck === true ? ['-crl_check_all'] : []),
    '-purpose',
    'any',
    '-out',
    join(dir, `${contentFile}.out`),
  ]);
}

export function hasOpenssl(): boolean {
  return openssl(['version']).status === 0;
}
