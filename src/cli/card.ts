import { Certificate } from 'pkijs';
import {
  attachToVpcd,
  holderOfGuid,
  PIV_SLOTS,
  PivSession,
  type PivSlot,
  parseVpcdAddress,
  VirtualPivCard,
} from '../card/index.js';
import { type CliContext, type Command, untilStopped } from './command.js';

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

/** `careid card simulate`: the virtual PIV card on vsmartcard's vpcd until stopped. */
export const simulateCommand: Command = {
  name: 'card simulate',
  synopsis: '[--vpcd HOST:PORT | --vpcd /path/to/socket]',
  summary:
    "Runs careid's virtual PIV card in vsmartcard's vpcd reader until SIGINT or SIGTERM: a card to rehearse the desk commands on.",
  flags: {
    vpcd: {
      type: 'string',
      value: 'ADDRESS',
      help: "vpcd's address: HOST:PORT or a Unix socket (default 127.0.0.1:35963)",
    },
  },
  async run(flags, ctx) {
    const address = parseVpcdAddress(flags.string('vpcd') ?? '127.0.0.1:35963');
    const card = new VirtualPivCard();
    const link = attachToVpcd(card, address);
    await link.connected;
    const where = 'path' in address ? address.path : `${address.host}:${address.port}`;
    ctx.io.out(`virtual PIV card attached to vpcd at ${where}; stop with Ctrl-C`);
    await untilStopped(ctx.signal);
    await link.close();
    ctx.io.out('virtual PIV card detached');
    return 0;
  },
};

async function connectCard(ctx: CliContext, reader: string | undefined) {
  if (ctx.connect !== undefined) return { connection: await ctx.connect(reader), close: () => {} };
  const { PcscContext } = await import('../card/pcsc/index.js');
  const pcsc = await PcscContext.open();
  try {
    const connection = await pcsc.connect(reader === undefined ? {} : { reader });
    return { connection, close: () => pcsc.close() };
  } catch (error) {
    pcsc.close();
    throw error;
  }
}

/** `careid card status`: what the card in the reader holds. */
export const statusCommand: Command = {
  name: 'card status',
  synopsis: '[--reader NAME]',
  summary:
    "Prints the card in the reader's CHUID, its certificates (subject, expiry) and the PIN and PUK tries left.",
  flags: {
    reader: {
      type: 'string',
      value: 'NAME',
      help: 'the PC/SC reader (a part of its name); default the first with a card',
    },
  },
  async run(flags, ctx) {
    const { connection, close } = await connectCard(ctx, flags.string('reader'));
    const out = ctx.io.out;
    try {
      const piv = await PivSession.open(connection);
      out(`ATR: ${Buffer.from(connection.atr).toString('hex').toUpperCase()}`);
      const chuid = await piv.readChuid();
      if (chuid === undefined) out('CHUID: none');
      else {
        const holder = holderOfGuid(chuid.guid);
        const who = holder === undefined ? `GUID ${chuid.guid}` : `holder UUID ${holder}`;
        out(`CHUID: ${who}, expires ${chuid.expiry}`);
      }
      for (const slot of PIV_SLOTS) {
        const der = await piv.readCertificate(slot);
        out(
          `Certificate ${SLOT_NAMES[slot]}: ${der === undefined ? 'none' : describeCertificate(der)}`,
        );
      }
      const pin = await piv.pinStatus();
      out(`PIN tries left: ${pin.triesLeft ?? 'verified'}`);
      const puk = await piv.pukTriesLeft();
      out(`PUK tries left: ${puk ?? 'unknown (the card does not report it)'}`);
      return 0;
    } finally {
      await connection.close();
      close();
    }
  },
};
