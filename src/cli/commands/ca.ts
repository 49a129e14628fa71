import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CertificateAuthority, RevocationReason } from '../../pki/index.js';
import { UsageError } from '../args.js';
import { type Command, untilStopped } from '../command.js';
import { pem } from '../format.js';
import {
  DIR_FLAGS,
  openStore,
  openWorkspaceCa,
  revokeWorkspaceContentSigner,
  STORE_FLAGS,
  VAULT_NOTES,
  vaultKeyFrom,
  workspaceDirs,
} from '../workspace.js';

/** `careid ca export`: the chain and the current CRLs as PEM, for publishing. */
export const caExportCommand: Command = {
  name: 'ca export',
  synopsis: '--store URL [--ca-dir DIR] > ca.pem',
  summary:
    "Writes the CA chain (issuing CA, then root) and freshly signed CRLs (the issuing CA's, then the root's) as PEM to standard output, to publish at the CRL URL and to pin in relying parties.",
  flags: {
    ...STORE_FLAGS,
    ...DIR_FLAGS,
    only: {
      type: 'string',
      value: 'chain|crl',
      help: 'only the chain, or only the issuing CA CRL',
    },
  },
  notes: VAULT_NOTES,
  async run(flags, ctx) {
    const only = flags.string('only');
    if (only !== undefined && only !== 'chain' && only !== 'crl') {
      throw new UsageError(`careid ca export: --only takes chain or crl, not '${only}'`);
    }
    const vaultKey = ctx.vaultKey ?? vaultKeyFrom(ctx.env);
    const dirs = workspaceDirs(flags);
    const store = await openStore(flags);
    try {
      const now = ctx.clock();
      const ca = await openWorkspaceCa(store, dirs, vaultKey, now);
      const write = ctx.io.write ?? ((chunk: string) => ctx.io.out(chunk.replace(/\n$/, '')));
      if (only !== 'crl') {
        write(pem('CERTIFICATE', ca.issuingCertificate));
        write(pem('CERTIFICATE', ca.rootCertificate));
      }
      if (only !== 'chain') {
        write(pem('X509 CRL', await ca.generateCrl({ now })));
        if (only === undefined)
          write(pem('X509 CRL', await ca.generateCrl({ now, authority: 'root' })));
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** The reasons a content signer is revoked for (RFC 5280 §5.3.1). */
const CONTENT_SIGNER_REASONS = [
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
] as const satisfies readonly RevocationReason[];

/**
 * `careid ca revoke-content-signer`: revokes the PIV content signer that signs CHUIDs
 * (every active certificate of its key), replaces the key and issues a new certificate.
 */
export const caRevokeContentSignerCommand: Command = {
  name: 'ca revoke-content-signer',
  synopsis: `--store URL --reason ${CONTENT_SIGNER_REASONS.join('|')} [--ca-dir DIR]`,
  summary:
    "Revokes the CHUID content signer's certificates (every active one of its key) with an RFC 5280 reason, so the CRL lists them and OCSP answers revoked, then seals a new content-signing key and issues its certificate. Publish the CRL again (careid ca export --only crl); cards whose CHUID the old key signed are re-signed by careid card repair.",
  flags: {
    ...STORE_FLAGS,
    ...DIR_FLAGS,
    reason: {
      type: 'string',
      required: true,
      value: 'REASON',
      help: `why: ${CONTENT_SIGNER_REASONS.join(', ')} (a key that may be known to others: keyCompromise)`,
    },
  },
  notes: VAULT_NOTES,
  async run(flags, ctx) {
    const reason = flags.required('reason');
    if (!(CONTENT_SIGNER_REASONS as readonly string[]).includes(reason)) {
      throw new UsageError(
        `careid ca revoke-content-signer: --reason takes ${CONTENT_SIGNER_REASONS.join(', ')}, not '${reason}'`,
      );
    }
    const vaultKey = ctx.vaultKey ?? vaultKeyFrom(ctx.env);
    const dirs = workspaceDirs(flags);
    const store = await openStore(flags);
    try {
      const now = ctx.clock();
      const ca = await openWorkspaceCa(store, dirs, vaultKey, now);
      const { revoked, replacement } = await revokeWorkspaceContentSigner(
        store,
        dirs,
        vaultKey,
        ca,
        reason as RevocationReason,
        now,
      );
      for (const serial of revoked) ctx.io.out(`revoked content signer ${serial} (${reason})`);
      ctx.io.out(`new content signer ${replacement}, with a new key`);
      ctx.io.out('publish the CRL again: careid ca export --only crl');
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** Largest OCSP request accepted (a request for a few certificates is a few hundred bytes). */
const MAX_REQUEST_BYTES = 64 * 1024;

/** The DER request in a GET path (RFC 6960 A.1: the URL-encoded base64 after the responder URL). */
function requestFromPath(path: string): Uint8Array | undefined {
  const decoded = decodeURIComponent(path);
  const parts = decoded.split('/');
  // The responder URL may have a path of its own: try each suffix, longest first.
  for (let i = 1; i < parts.length; i++) {
    const text = parts.slice(i).join('/');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) continue;
    const der = Buffer.from(text, 'base64');
    if (der[0] === 0x30) return new Uint8Array(der);
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function answer(ca: CertificateAuthority, clock: () => Date) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      let request: Uint8Array | undefined;
      if (req.method === 'POST') {
        request = await readBody(req);
        if (request === undefined) {
          res.writeHead(413).end();
          return;
        }
      } else if (req.method === 'GET') {
        request = requestFromPath(new URL(req.url ?? '/', 'http://x').pathname);
        if (request === undefined) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('no OCSP request in the path\n');
          return;
        }
      } else {
        res.writeHead(405, { allow: 'GET, POST' }).end();
        return;
      }
      const response = await ca.respondOcsp(request, clock());
      res
        .writeHead(200, {
          'content-type': 'application/ocsp-response',
          'content-length': response.length,
          'cache-control': 'no-cache',
        })
        .end(Buffer.from(response));
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  };
}

/** `careid ocsp serve`: the CA's OCSP responder over HTTP (RFC 6960 A.1, GET and POST). */
export const ocspServeCommand: Command = {
  name: 'ocsp serve',
  synopsis: '--store URL --port PORT [--host 127.0.0.1]',
  summary:
    "Answers OCSP requests over HTTP (RFC 6960 appendix A: POST application/ocsp-request, or GET with the request in the path) with the CA's delegated responder, until SIGINT or SIGTERM.",
  flags: {
    ...STORE_FLAGS,
    ...DIR_FLAGS,
    port: { type: 'string', required: true, value: 'PORT', help: 'the TCP port (0: any free one)' },
    host: {
      type: 'string',
      value: 'ADDRESS',
      help: 'the address to listen on (default 127.0.0.1)',
    },
  },
  notes: VAULT_NOTES,
  async run(flags, ctx) {
    const portText = flags.required('port');
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65_535) {
      throw new UsageError(
        `careid ocsp serve: --port takes a TCP port (0-65535), not '${portText}'`,
      );
    }
    const host = flags.string('host') ?? '127.0.0.1';
    const vaultKey = ctx.vaultKey ?? vaultKeyFrom(ctx.env);
    const dirs = workspaceDirs(flags);
    const store = await openStore(flags);
    try {
      const ca = await openWorkspaceCa(store, dirs, vaultKey, ctx.clock());
      const server = createServer(answer(ca, ctx.clock));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      ctx.io.out(`OCSP responder listening on http://${host}:${bound}/; stop with Ctrl-C`);
      await untilStopped(ctx.signal);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ctx.io.out('OCSP responder stopped');
      return 0;
    } finally {
      await store.close();
    }
  },
};
