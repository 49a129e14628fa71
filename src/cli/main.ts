import { readFileSync } from 'node:fs';
import { CareIdError, ValidationError } from '../index.js';
import { Flags, helpText, parseFlags, UsageError } from './args.js';
import type { CliContext, Command } from './command.js';
import type { CliIo } from './io.js';

/** Options for embedding and tests; a real run takes them from the process. */
export interface MainOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: () => Date;
  readonly readSecret?: (prompt: string) => Promise<string>;
  readonly connect?: CliContext['connect'];
  readonly vaultKey?: Uint8Array;
  readonly signal?: AbortSignal;
}

/** The commands, each loaded on demand (the card commands pull in PKI.js and pcsclite). */
const COMMANDS: readonly {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}[] = [
  {
    name: 'demo',
    summary: 'a narrated scenario: the rules engine, the RA, a smartcard end to end',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'init',
    summary: 'set up a store: schema, CA (names and CRL/OCSP URLs), vault',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'seed',
    summary: 'load organisations, positions, users, assignments from a JSON file',
    load: async () => (await import('./commands/seed.js')).seedCommand,
  },
  ...['stock', 'issue', 'unlock', 'renew', 'repair', 'clear', 'cancel', 'replace', 'reconcile'].map(
    (op) => ({
      name: `card ${op}`,
      summary:
        op === 'cancel'
          ? 'cancel a card by serial and revoke its certificates (no reader needed)'
          : op === 'reconcile'
            ? 'after a crash: revoke certificates a killed command left on no usable card'
            : `${op} the card in the reader`,
      load: async () => {
        const { lifecycleCommands } = await import('./card-lifecycle.js');
        return lifecycleCommands.find((c) => c.name === `card ${op}`) as Command;
      },
    }),
  ),
  {
    name: 'card record',
    summary: "the store's record of a card: holder, status, certificates (no reader needed)",
    load: async () => (await import('./commands/card-record.js')).cardRecordCommand,
  },
  {
    name: 'card status',
    summary: 'the card in the reader: CHUID, certificates, PIN and PUK tries left',
    load: async () => (await import('./card.js')).statusCommand,
  },
  {
    name: 'card simulate',
    summary: "run the virtual PIV card on vsmartcard's vpcd until stopped",
    load: async () => (await import('./card.js')).simulateCommand,
  },
  {
    name: 'reports list',
    summary: 'the reports an actor may run',
    load: async () => (await import('./commands/reports.js')).reportsListCommand,
  },
  {
    name: 'reports export',
    summary: 'a report as CSV on standard output',
    load: async () => (await import('./commands/reports.js')).reportsExportCommand,
  },
  {
    name: 'audit verify',
    summary: 'walk the audit chain and name the first broken link',
    load: async () => (await import('./commands/audit.js')).auditVerifyCommand,
  },
  {
    name: 'ca export',
    summary: 'the CA chain and current CRLs as PEM',
    load: async () => (await import('./commands/ca.js')).caExportCommand,
  },
  {
    name: 'ca revoke-content-signer',
    summary: 'revoke the CHUID content signer and replace its key',
    load: async () => (await import('./commands/ca.js')).caRevokeContentSignerCommand,
  },
  {
    name: 'ocsp serve',
    summary: 'an OCSP responder over HTTP',
    load: async () => (await import('./commands/ca.js')).ocspServeCommand,
  },
];

/**
 * The package version, from careid's package.json: the nearest one above this file named
 * careid (src/cli in the repository; dist/ or dist/cli once bundled into chunks).
 */
function version(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 4; depth++) {
    try {
      const json = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (json.name === 'careid') return json.version;
    } catch {
      // not here: look one level up
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

function overview(prefix = ''): string {
  const rows = COMMANDS.filter((c) => c.name.startsWith(prefix));
  const width = Math.max(...rows.map((c) => c.name.length)) + 2;
  return [
    `usage: careid ${prefix === '' ? '<command>' : `${prefix.trim()} <command>`} [options]`,
    '',
    'commands:',
    ...rows.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Every command takes --help. 'careid --version' prints the version.",
  ].join('\n');
}

function report(io: CliIo, name: string, error: unknown): number {
  if (error instanceof UsageError) {
    io.err(error.message);
    io.err(`run 'careid ${name} --help' for its options`);
    return 2;
  }
  if (error instanceof CareIdError) {
    io.err(`careid ${name}: ${error.message} [${error.code}]`);
    if (error instanceof ValidationError) {
      for (const issue of error.issues.slice(1)) io.err(`  ${issue.field}: ${issue.message}`);
    }
    return error.code === 'CARD_TRANSPORT' ? 3 : 1;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    io.err(`careid ${name}: ${error.message}`); // ENOENT, EADDRINUSE: the message says it
    return 1;
  }
  io.err(
    `careid ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return 1;
}

/**
 * The `careid` command line: finds the command, parses its flags strictly, runs it, and
 * returns the exit code (0 done, 1 refused or failed, 2 bad usage, 3 the card stack
 * failed). Errors are printed, never thrown.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['audit', 'verify', '--store', 'ra.sqlite'], processIo);
 * ```
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  options: MainOptions = {},
): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    io.out(overview());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(version());
    return 0;
  }
  const entry =
    COMMANDS.find((c) => c.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.name === first);
  if (entry === undefined) {
    const group = COMMANDS.some((c) => c.name.startsWith(`${first} `));
    if (group && (second === undefined || second === '--help' || second === '-h')) {
      (second === undefined ? io.err : io.out)(overview(`${first} `));
      return second === undefined ? 2 : 0;
    }
    if (group) {
      io.err(overview(`${first} `));
      io.err(`careid ${first}: unknown command '${second}'`);
    } else {
      io.err(`careid: unknown command '${first}'`);
      io.err("run 'careid --help' for the commands");
    }
    return 2;
  }
  const rest = argv.slice(entry.name.split(' ').length);
  try {
    const command = await entry.load();
    const positionals = command.positionals ?? { min: 0, max: 0, name: '' };
    const parsed = parseFlags(command.name, command.flags, rest, positionals);
    if (parsed.values['help'] === true) {
      io.out(
        helpText(command.name, command.synopsis, command.summary, command.flags, command.notes),
      );
      return 0;
    }
    const ctx: CliContext = {
      io,
      env: options.env ?? process.env,
      clock: options.clock ?? (() => new Date()),
      readSecret:
        options.readSecret ?? (async (prompt) => (await import('./secret.js')).stdinSecret(prompt)),
      connect: options.connect,
      vaultKey: options.vaultKey,
      signal: options.signal,
    };
    return await command.run(new Flags(command.name, parsed), ctx);
  } catch (error) {
    return report(io, entry.name, error);
  }
}

/**
 * Runs `careid card …` (the words after `card`, with or without `card` first): `simulate`,
 * `status`, `record` and the lifecycle at a reader. Returns the exit code; errors are
 * printed, never thrown.
 *
 * @example
 * ```ts
 * process.exitCode = await runCardCommand(['status', '--reader', 'Virtual'], { out: console.log, err: console.error });
 * ```
 */
export async function runCardCommand(
  argv: readonly string[],
  io: CliIo,
  options: MainOptions = {},
): Promise<number> {
  const args = argv[0] === 'card' ? argv.slice(1) : argv;
  return main(['card', ...args], io, options);
}
