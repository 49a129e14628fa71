import { parseArgs } from 'node:util';

/** Bad usage of the command line (exit code 2): an unknown flag, a missing value or argument. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One flag of a command, declared once: the parser, the help text and the checks read it. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias. */
  readonly short?: string;
  /** May be given more than once (`--filter a=1 --filter b=2`). */
  readonly multiple?: boolean;
  /** Must be given. */
  readonly required?: boolean;
  /** The placeholder shown in the help (`URL`, `FILE`). */
  readonly value?: string;
  /** One line for the help. */
  readonly help: string;
}

/** The flags of a command, by long name (without the dashes). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What the command line gave: flag values by name, and the positional arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** A command's flag values, typed for the commands to read. */
export class Flags {
  constructor(
    private readonly command: string,
    private readonly parsed: ParsedArgs,
  ) {}

  /** The positional arguments. */
  get positionals(): readonly string[] {
    return this.parsed.positionals;
  }

  /** A string flag, or `undefined`. */
  string(name: string): string | undefined {
    const value = this.parsed.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A string flag that must be there. */
  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) {
      throw new UsageError(`careid ${this.command}: --${name} is required`);
    }
    return value;
  }

  /** A boolean flag. */
  boolean(name: string): boolean {
    return this.parsed.values[name] === true;
  }

  /** Every value of a repeatable flag. */
  list(name: string): readonly string[] {
    const value = this.parsed.values[name];
    return Array.isArray(value) ? value : [];
  }
}

/** The `--help` flag every command has. */
export const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', help: 'this help' };

/**
 * Parses `argv` strictly against `flags`: an unknown flag, a string flag without its value
 * or a flag given a value it does not take is a {@link UsageError}.
 */
export function parseFlags(
  command: string,
  flags: FlagSpecs,
  argv: readonly string[],
  positionals: { readonly min: number; readonly max: number },
): ParsedArgs {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
  > = {};
  for (const [name, spec] of Object.entries({ ...flags, help: HELP_FLAG })) {
    options[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: positionals.max > 0,
    }) as ParsedArgs;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`careid ${command}: ${message.split('\n')[0]}`);
  }
  if (parsed.values['help'] === true) return parsed;
  if (parsed.positionals.length < positionals.min) {
    throw new UsageError(`careid ${command}: missing argument`);
  }
  if (parsed.positionals.length > positionals.max) {
    throw new UsageError(
      `careid ${command}: unexpected argument '${parsed.positionals[positionals.max]}'`,
    );
  }
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.required && parsed.values[name] === undefined) {
      throw new UsageError(`careid ${command}: --${name} is required`);
    }
    const value = parsed.values[name];
    if (typeof value === 'string' && value === '') {
      throw new UsageError(`careid ${command}: --${name} needs a value`);
    }
  }
  return parsed;
}

/** The help text of a command, from its declaration. */
export function helpText(
  command: string,
  synopsis: string,
  summary: string,
  flags: FlagSpecs,
  notes: readonly string[] = [],
): string {
  const rows = Object.entries({ ...flags, help: HELP_FLAG }).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
    const more = spec.multiple ? ' (repeatable)' : spec.required ? ' (required)' : '';
    return [`${short}--${name}${value}`, `${spec.help}${more}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: careid ${command}${synopsis === '' ? '' : ` ${synopsis}`}`,
    '',
    summary,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
