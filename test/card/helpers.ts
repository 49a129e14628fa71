import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApduLogEntry,
  connectVirtualCard,
  PivSession,
  VirtualPivCard,
  type VirtualPivCardOptions,
} from '../../src/card/index.js';

/** A fresh simulator and a session on it, with the APDU log collected. */
export async function freshSession(
  options: VirtualPivCardOptions = {},
  extendedLength = false,
): Promise<{ card: VirtualPivCard; piv: PivSession; log: ApduLogEntry[] }> {
  const card = new VirtualPivCard(options);
  const log: ApduLogEntry[] = [];
  const piv = await PivSession.open(connectVirtualCard(card), {
    log: (e) => log.push(e),
    extendedLength,
  });
  return { card, piv, log };
}

/** A self-signed ECDSA certificate (DER) with the given common name, made by openssl. */
export function selfSignedCertificate(cn: string, days = 365): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'careid-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-subj',
        `/CN=${cn}`,
        '-days',
        String(days),
        '-outform',
        'DER',
        '-out',
        join(dir, 'cert.der'),
      ],
      { stdio: 'ignore' },
    );
    return new Uint8Array(readFileSync(join(dir, 'cert.der')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
