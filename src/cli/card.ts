import { Certificate } from 'pkijs';
import type { CardConnection } from '../card/connection.js';
import { CardTransportError } from '../card/errors.js';
import { PIV_SLOTS, type PivSlot } from '../card/piv/constants.js';
import { holderOfGuid } from '../card/piv/objects.js';
import { PivSession } from '../card/piv/session.js';
import { VirtualPivCard } from '../card/sim/virtual-piv-card.js';
import { attachToVpcd, parseVpcdAddress } from '../card/sim/vpcd.js';
import { CareIdError } from '../errors/care-id-error.js';
import {
  LIFECYCLE_COMMANDS,
  LIFECYCLE_USAGE,
  type LifecycleCliOptions,
  runLifecycleCommand,
} from './card-lifecycle.js';

/**
 * Where `careid card` writes: one call per line.
 * @example
 * ```ts
 * await runCardCommand(['status'], { out: (l) => console.log(l), err: (l) => console.error(l) });
 * ```
 */
export interface CardCommandIo {
  /** Normal output. */
  readonly out: (line: string) => void;
  /** Diagnostics. */
  readonly err: (line: string) => void;
}

/**
 * Options for embedding and tests.
 * @example
 * ```ts
 * await runCardCommand(['simulate'], io, { signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface CardCommandOptions extends Omit<LifecycleCliOptions, 'connect'> {
  /** Stops `simulate` (it otherwise runs until SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
  /** Connects `status` to a card without PC/SC (tests). */
  readonly connect?: (reader: string | undefined) => Promise<CardConnection>;
}

const USAGE = [
  'usage: careid card simulate [--vpcd HOST:PORT | --vpcd /path/to/socket]',
  '       careid card status [--reader NAME]',
  ...LIFECYCLE_USAGE,
];

/** Short names of the slots (SP 800-73-4 Part 1 Table 4b). */
const SLOT_NAMES: Readonly<Record<PivSlot, string>> = {
  154: '9A PIV Authentication',
  156: '9C Digital Signature',
  157: '9D Key Management',
  158: '9E Card Authentication',
};

/** Attribute type OIDs shown by name (RFC 4519). */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at === -1 ? undefined : argv[at + 1];
}

function describeCertificate(der: Uint8Array): string {
  try {
    const cert = Certificate.fromBER(der);
    const subject = cert.subject.typesAndValues
      .map((tv) => `${ATTRIBUTE_NAMES[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`)
      .join(', ');
    return `subject ${subject}; expires ${cert.notAfter.value.toISOString()}`;
  } catch {
    return `${der.length} bytes, not a parsable X.509 certificate`;
  }
}

async function simulate(
  argv: readonly string[],
  io: CardCommandIo,
  options: CardCommandOptions,
): Promise<number> {
  const address = parseVpcdAddress(option(argv, '--vpcd') ?? '127.0.0.1:35963');
  const card = new VirtualPivCard();
  const link = attachToVpcd(card, address);
  await link.connected;
  const where = 'path' in address ? address.path : `${address.host}:${address.port}`;
  io.out(`virtual PIV card attached to vpcd at ${where}; stop with Ctrl-C`);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    if (options.signal?.aborted) return done();
    options.signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await link.close();
  io.out('virtual PIV card detached');
  return 0;
}

async function status(
  argv: readonly string[],
  io: CardCommandIo,
  options: CardCommandOptions,
): Promise<number> {
  const reader = option(argv, '--reader');
  let close = () => {};
  let connection: CardConnection;
  if (options.connect !== undefined) {
    connection = await options.connect(reader);
  } else {
    const { PcscContext } = await import('../card/pcsc/transport.js');
    const pcsc = await PcscContext.open();
    close = () => pcsc.close();
    try {
      connection = await pcsc.connect(reader === undefined ? {} : { reader });
    } catch (error) {
      close();
      throw error;
    }
  }
  try {
    const piv = await PivSession.open(connection);
    io.out(`ATR: ${Buffer.from(connection.atr).toString('hex').toUpperCase()}`);
    const chuid = await piv.readChuid();
    if (chuid === undefined) io.out('CHUID: none');
    else {
      const holder = holderOfGuid(chuid.guid);
      const who = holder === undefined ? `GUID ${chuid.guid}` : `holder UUID ${holder}`;
      io.out(`CHUID: ${who}, expires ${chuid.expiry}`);
    }
    for (const slot of PIV_SLOTS) {
      const der = await piv.readCertificate(slot);
      io.out(
        `Certificate ${SLOT_NAMES[slot]}: ${der === undefined ? 'none' : describeCertificate(der)}`,
      );
    }
    const pin = await piv.pinStatus();
    io.out(`PIN tries left: ${pin.triesLeft ?? 'verified'}`);
    const puk = await piv.pukTriesLeft();
    io.out(`PUK tries left: ${puk ?? 'unknown (the card does not report it)'}`);
    return 0;
  } finally {
    await connection.close();
    close();
  }
}

/**
 * Runs `careid card …`: `simulate` attaches a {@link VirtualPivCard} to vsmartcard's vpcd
 * until stopped; `status` prints the CHUID, the certificates (subject, expiry) and the PIN
 * and PUK tries left of the card in a PC/SC reader. Returns the exit code; errors are
 * printed, never thrown.
 *
 * @example
 * ```ts
 * process.exitCode = await runCardCommand(['status', '--reader', 'Virtual'], { out: console.log, err: console.error });
 * ```
 */
export async function runCardCommand(
  argv: readonly string[],
  io: CardCommandIo,
  options: CardCommandOptions = {},
): Promise<number> {
  const args = argv[0] === 'card' ? argv.slice(1) : argv;
  try {
    switch (args[0]) {
      case 'simulate':
        return await simulate(args, io, options);
      case 'status':
        return await status(args, io, options);
      default:
        if ((LIFECYCLE_COMMANDS as readonly string[]).includes(args[0] ?? '')) {
          return await runLifecycleCommand(args, io, options);
        }
        for (const line of USAGE) io.err(line);
        return 2;
    }
  } catch (error) {
    if (error instanceof CareIdError) {
      io.err(`careid card ${args[0]}: ${error.message} [${error.code}]`);
      return error instanceof CardTransportError ? 3 : 1;
    }
    io.err(
      `careid card ${args[0]}: unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}
