import type { ParsedCertificate } from '../pki/index.js';

/** A certificate's subject as `CN=…, O=…`. */
export function subjectOf(cert: ParsedCertificate): string {
  return cert.subject.map((a) => `${a.type ?? a.oid}=${a.value}`).join(', ');
}

/** PEM (RFC 7468) of a DER structure. */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
