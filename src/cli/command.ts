import type { CardConnection } from '../card/index.js';
import type { FlagSpecs, Flags } from './args.js';
import type { CliIo } from './io.js';

/** What a command runs with besides its flags: where to write, the clock, the environment. */
export interface CliContext {
  readonly io: CliIo;
  /** The environment (`CAREID_VAULT_KEY`). */
  readonly env: NodeJS.ProcessEnv;
  /** The clock. */
  readonly clock: () => Date;
  /** Reads a secret the user types (a passcode). */
  readonly readSecret: (prompt: string) => Promise<string>;
  /** Connects to a card without PC/SC (tests); by default the PC/SC stack. */
  readonly connect?: ((reader: string | undefined) => Promise<CardConnection>) | undefined;
  /** The vault key, instead of `CAREID_VAULT_KEY` (tests). */
  readonly vaultKey?: Uint8Array | undefined;
  /** Stops a long-running command (`card simulate`, `ocsp serve`); SIGINT and SIGTERM do too. */
  readonly signal?: AbortSignal | undefined;
}

/** One command of the CLI, declared once: dispatch, parsing and help read it. */
export interface Command {
  /** The words after `careid`, e.g. `card record`. */
  readonly name: string;
  /** What follows the name in the usage line, e.g. `--store URL FILE`. */
  readonly synopsis: string;
  /** One sentence. */
  readonly summary: string;
  readonly flags: FlagSpecs;
  /** How many positional arguments it takes (default none). */
  readonly positionals?: { readonly min: number; readonly max: number; readonly name: string };
  /** Lines after the options in the help. */
  readonly notes?: readonly string[];
  /** Runs it; returns the exit code. */
  run(flags: Flags, ctx: CliContext): Promise<number>;
}

/** Resolves when `signal` aborts or the process gets SIGINT or SIGTERM. */
export function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal?.aborted) return done();
    signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
