import { CareIdError } from './care-id-error.js';

/**
 * A careid entry point needs an optional peer dependency that is not installed. The
 * message names the package and the command that installs it; nothing was done.
 *
 * @example
 * ```ts
 * try { sqliteStore('ra.sqlite') } catch (e) {
 *   if (e instanceof OptionalPeerMissingError) console.error(e.install); // npm install better-sqlite3
 * }
 * ```
 */
export class OptionalPeerMissingError extends CareIdError<'OPTIONAL_PEER_MISSING'> {
  override name = 'OptionalPeerMissingError';
  /** The package that is missing, e.g. `better-sqlite3`. */
  readonly peer: string;
  /** What needs it, e.g. `careid/storage/sqlite`. */
  readonly feature: string;
  /** The command that installs it, e.g. `npm install better-sqlite3`. */
  readonly install: string;

  constructor(peer: string, feature: string, options: { cause?: unknown } = {}) {
    const install = `npm install ${peer}`;
    super(
      'OPTIONAL_PEER_MISSING',
      `${feature} needs the optional peer dependency \`${peer}\`, which is not installed: run \`${install}\``,
      options,
    );
    this.peer = peer;
    this.feature = feature;
    this.install = install;
  }
}
