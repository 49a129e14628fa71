#!/usr/bin/env node
import { runDemo } from './demo.js';
import { type CliIo, processIo } from './io.js';

const USAGE = `usage: careid <command>

commands:
  demo                              a narrated scenario: the rules engine, the RA, a smartcard end to end
  card simulate [--vpcd HOST:PORT]  run the virtual PIV card on vsmartcard's vpcd until stopped
  card status [--reader NAME]       print a card's CHUID, certificates, PIN and PUK tries left
  card stock|issue|unlock|renew|repair|clear|cancel|replace --store URL --actor UUID [--reader NAME] ...
                                    the smartcard lifecycle at a reader (careid card help for the options)
  help                              this text`;

/**
 * The `careid` command line: dispatches to a command and returns its exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['demo'], processIo);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'demo':
      return runDemo(io);
    case 'card': {
      // Loaded on demand: the card commands pull in PKI.js and, for readers, pcsclite.
      const { runCardCommand } = await import('./card.js');
      return runCardCommand(argv.slice(1), io);
    }
    case undefined:
    case 'help':
    case '--help':
      io.out(USAGE);
      return 0;
    default:
      io.err(`careid: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2), processIo);
