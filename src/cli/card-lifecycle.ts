import { webcrypto } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CardConnection } from '../card/connection.js';
import { ValidationError } from '../errors/validation-error.js';
import { createCertificateAuthority } from '../pki/certificate-authority.js';
import type { Signer } from '../pki/signer.js';
import { softwareSigner } from '../pki/software-signer.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import { createRegistrationAuthority } from '../ra/registration-authority.js';
import { aesGcmKeyVault } from '../ra/smartcards/key-vault.js';
import type { SmartcardResult } from '../ra/smartcards/lifecycle.js';
import type { CardReader, SealedStorage } from '../ra/smartcards/ports.js';
import { storeCaRepository } from '../storage/ca-repository.js';
import type { Store } from '../storage/ports.js';

/** Where the lifecycle commands write, and how they ask for a secret. */
export interface LifecycleCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Options for embedding and tests. */
export interface LifecycleCliOptions {
  /** Connects to a card without PC/SC (tests). */
  readonly connect?: (reader: string | undefined) => Promise<CardConnection>;
  /** Reads a secret the user types (a passcode); by default a line from standard input. */
  readonly readSecret?: (prompt: string) => Promise<string>;
  /** The clock (default: the system clock). */
  readonly clock?: () => Date;
  /** The vault key (32 bytes); by default `CAREID_VAULT_KEY` (base64) from the environment. */
  readonly vaultKey?: Uint8Array;
}

/** The lifecycle subcommands of `careid card`. */
export const LIFECYCLE_COMMANDS = [
  'stock',
  'issue',
  'unlock',
  'renew',
  'repair',
  'clear',
  'cancel',
  'replace',
] as const;

/** Usage lines of the lifecycle subcommands. */
export const LIFECYCLE_USAGE = [
  '       careid card stock|clear   --store URL --actor UUID [--reader NAME]',
  '       careid card issue         --store URL --actor UUID --user UUID --photo FILE [--user-present] [--reader NAME]',
  '       careid card unlock        --store URL --actor UUID [--user-present] [--reader NAME]',
  '       careid card renew|repair  --store URL --actor UUID [--photo FILE] [--user-present] [--reader NAME]',
  '       careid card cancel        --store URL --actor UUID --serial SERIAL --reason lost|stolen|damaged|returned|replaced',
  '       careid card replace       --store URL --actor UUID --serial OLD --reason lost|stolen|damaged|returned --photo FILE [--reader NAME]',
  '         --store: a SQLite file path or a postgres:// URL; passcodes are read from standard input;',
  '         CAREID_VAULT_KEY (base64, 32 bytes) seals the card secrets in --vault-dir (default <store>.vault);',
  '         the CA keys live in --ca-dir (default <store>.ca), created on first use.',
];

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
}

function required(argv: readonly string[], name: string): string {
  const value = option(argv, name);
  if (value === undefined || value.startsWith('--')) {
    throw new ValidationError('careid card', [{ field: name, message: `${name} is required` }]);
  }
  return value;
}

async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { postgresStore } = await import('../storage/postgres/index.js');
    return postgresStore(url);
  }
  const { sqliteStore } = await import('../storage/sqlite/index.js');
  return sqliteStore(url);
}

/** Sealed blobs as files in a directory, one per card serial (mode 0600). */
function directorySealedStorage(dir: string): SealedStorage {
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
      writeFileSync(file(serial), sealed, { mode: 0o600 });
    },
    async delete(serial) {
      rmSync(file(serial), { force: true });
    },
  };
}

/** A CA key kept as a JWK file (mode 0600), generated on first use. */
async function caSigner(dir: string, role: string): Promise<Signer> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${role}.jwk.json`);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  let jwk: webcrypto.JsonWebKey;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8')) as webcrypto.JsonWebKey;
  } catch {
    const pair = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
    writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
  }
  const privateKey = await webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  // The public half: the JWK without its private scalar and its signing-only key_ops.
  const { d: _private, key_ops: _ops, ...publicJwk } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, algorithm, true, ['verify']);
  return softwareSigner({ privateKey, publicKey });
}

/** Reads a line from standard input; on a terminal nothing typed is echoed (AUD-02). */
function stdinSecret(prompt: string): Promise<string> {
  process.stderr.write(`${prompt}: `);
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const rl = createInterface({ input: stdin, terminal: false });
    return new Promise((resolve) => {
      rl.once('line', (line) => {
        rl.close();
        resolve(line.trim());
      });
    });
  }
  return new Promise((resolve) => {
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') process.exit(130); // Ctrl-C
        typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch;
      }
    };
    stdin.on('data', onData);
  });
}

function summary(result: SmartcardResult): string[] {
  const lines = [
    `card ${result.card.serial}: ${result.card.status}${result.card.holder ? `, holder ${result.card.holder}` : ''} (${result.apdus} APDUs)`,
  ];
  if (result.certificate) {
    lines.push(
      `certificate ${result.certificate.serial}, valid until ${result.certificate.notAfter}`,
    );
  }
  if (result.revoked.length > 0) lines.push(`revoked: ${result.revoked.join(', ')}`);
  lines.push(`decision: ${result.decision.reasons.map((r) => `${r.rule} ${r.code}`).join('; ')}`);
  return lines;
}

/**
 * Runs a lifecycle subcommand of `careid card` for an RA agent at a reader: stock, issue,
 * unlock, renew, repair, clear, cancel, replace, on a SQLite or PostgreSQL store, with the
 * progress of slow steps (key generation) printed. Returns the exit code: 0 done, 1
 * refused or failed (with the reasons), 2 bad usage.
 *
 * @example
 * ```ts
 * await runLifecycleCommand(['issue', '--store', 'ra.sqlite', '--actor', agent, '--user', uuid, '--photo', 'alex.jpg', '--user-present'], io);
 * ```
 */
export async function runLifecycleCommand(
  argv: readonly string[],
  io: LifecycleCliIo,
  options: LifecycleCliOptions = {},
): Promise<number> {
  const [command] = argv;
  const storeUrl = required(argv, '--store');
  const actor = required(argv, '--actor');
  const readerName = option(argv, '--reader');
  const clock = options.clock ?? (() => new Date());
  const readSecret = options.readSecret ?? stdinSecret;
  const vaultKey =
    options.vaultKey ??
    (process.env['CAREID_VAULT_KEY']
      ? new Uint8Array(Buffer.from(process.env['CAREID_VAULT_KEY'], 'base64'))
      : undefined);
  if (vaultKey === undefined) {
    throw new ValidationError('careid card', [
      { field: 'CAREID_VAULT_KEY', message: 'set CAREID_VAULT_KEY to a base64 32-byte key' },
    ]);
  }
  const local = !/^postgres(ql)?:\/\//.test(storeUrl);
  const caDir = option(argv, '--ca-dir') ?? (local ? `${storeUrl}.ca` : undefined);
  const vaultDir = option(argv, '--vault-dir') ?? (local ? `${storeUrl}.vault` : undefined);
  if (caDir === undefined || vaultDir === undefined) {
    throw new ValidationError('careid card', [
      { field: '--ca-dir', message: 'with a PostgreSQL store, give --ca-dir and --vault-dir' },
    ]);
  }
  const photoFile = option(argv, '--photo');
  const photo = photoFile ? readFileSync(photoFile).toString('base64') : undefined;
  const userPresent = argv.includes('--user-present');

  const store = await openStore(storeUrl);
  let closeReader = () => {};
  try {
    const ca = await createCertificateAuthority({
      settings: {
        root: { commonName: 'careid Root CA' },
        issuing: { commonName: 'careid Issuing CA' },
        crlUrl: option(argv, '--crl-url') ?? 'http://pki.careid.invalid/issuing.crl',
        ocspUrl: option(argv, '--ocsp-url') ?? 'http://ocsp.careid.invalid/',
      },
      now: clock(),
      repository: storeCaRepository(store),
      rootSigner: await caSigner(caDir, 'root'),
      issuingSigner: await caSigner(caDir, 'issuing'),
      ocspSigner: await caSigner(caDir, 'ocsp'),
    });
    const ra = createRegistrationAuthority({
      store,
      clock,
      certificateAuthority: ca,
      keyVault: aesGcmKeyVault({ key: vaultKey, storage: directorySealedStorage(vaultDir) }),
    });
    let reader: CardReader;
    if (options.connect !== undefined) {
      const connect = options.connect;
      reader = { name: readerName ?? 'test reader', connect: () => connect(readerName) };
    } else {
      const { PcscContext } = await import('../card/pcsc/transport.js');
      const pcsc = await PcscContext.open();
      closeReader = () => pcsc.close();
      reader = {
        name: readerName ?? 'the first reader',
        connect: () => pcsc.connect(readerName === undefined ? {} : { reader: readerName }),
      };
    }
    const progress = { progress: (step: string) => io.out(`... ${step}`) };
    const needPhoto = () => {
      if (photo === undefined) {
        throw new ValidationError('careid card', [
          { field: '--photo', message: '--photo FILE is required (CARD-11)' },
        ]);
      }
      return photo;
    };
    let result: SmartcardResult;
    switch (command) {
      case 'stock':
        result = await ra.smartcards.stock(actor, {}, reader);
        break;
      case 'issue': {
        const user = required(argv, '--user');
        const passcode = await readSecret('the holder types their new passcode (6 to 8 digits)');
        result = await ra.smartcards.issue(
          actor,
          { user, passcode, photo: needPhoto(), userPresent },
          reader,
          progress,
        );
        break;
      }
      case 'unlock': {
        const newPasscode = await readSecret('the holder types their new passcode');
        result = await ra.smartcards.unlock(actor, { newPasscode, userPresent }, reader);
        break;
      }
      case 'renew': {
        const passcode = await readSecret('the holder types their passcode');
        result = await ra.smartcards.renew(actor, { passcode, userPresent }, reader, progress);
        break;
      }
      case 'repair': {
        const passcode = await readSecret('the holder types their new passcode');
        result = await ra.smartcards.repair(
          actor,
          { passcode, photo: needPhoto(), userPresent },
          reader,
          progress,
        );
        break;
      }
      case 'clear':
        result = await ra.smartcards.clear(actor, {}, reader);
        break;
      case 'cancel':
        result = await ra.smartcards.cancel(actor, {
          serial: required(argv, '--serial'),
          reason: required(argv, '--reason') as never,
        });
        break;
      default:
        result = await ra.smartcards.replace(
          actor,
          {
            serial: required(argv, '--serial'),
            reason: required(argv, '--reason') as never,
            photo: needPhoto(),
          },
          reader,
          progress,
        );
    }
    for (const line of summary(result)) io.out(line);
    return 0;
  } catch (error) {
    if (error instanceof PolicyDeniedError) {
      io.err(`careid card ${command}: refused`);
      for (const r of error.decision.reasons) io.err(`  ${r.rule} ${r.code}: ${r.message}`);
      return 1;
    }
    throw error;
  } finally {
    closeReader();
    await store.close();
  }
}
