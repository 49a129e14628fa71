// Node only (node:module): the storage, card and testing entry points load their optional
// peers through this file; careid's root never reaches it.
import { createRequire } from 'node:module';
import { OptionalPeerMissingError } from './optional-peer.js';

/**
 * Whether `error` says that `peer` itself cannot be found (not one of its own files or
 * dependencies, nor a native build that failed: those are other problems).
 *
 * @example
 * ```ts
 * isMissingPackage(error, 'pg'); // true for "Cannot find module 'pg'"
 * ```
 */
export function isMissingPackage(error: unknown, peer: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${peer}'`);
}

// Resolved from this file, as an import here would be: `__filename` in the CommonJS build,
// `import.meta.url` in the ES module one (a bundler's stand-in for `require` in ESM would
// refuse to load anything, so `require` itself is never named).
declare const __filename: string | undefined;
const load: NodeJS.Require = createRequire(
  typeof __filename === 'string' ? __filename : import.meta.url,
);

/**
 * Loads an optional peer dependency synchronously, where careid first needs it (not when
 * the entry point is imported), resolving it from careid's own location as an import would.
 *
 * @throws OPTIONAL_PEER_MISSING when the package is not installed.
 * @example
 * ```ts
 * const Database = requireOptionalPeer<typeof import('better-sqlite3')>('better-sqlite3', 'careid/storage/sqlite');
 * ```
 */
export function requireOptionalPeer<T>(peer: string, feature: string): T {
  try {
    return load(peer) as T;
  } catch (error) {
    if (isMissingPackage(error, peer))
      throw new OptionalPeerMissingError(peer, feature, { cause: error });
    throw error;
  }
}

/**
 * Loads an optional peer dependency with `import()` (for ES-module-only packages).
 *
 * @throws OPTIONAL_PEER_MISSING when the package is not installed.
 * @example
 * ```ts
 * const pcsclite = await importOptionalPeer('pcsclite', 'careid/card/pcsc', () => import('pcsclite'));
 * ```
 */
export async function importOptionalPeer<T>(
  peer: string,
  feature: string,
  importer: () => Promise<T>,
): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (isMissingPackage(error, peer))
      throw new OptionalPeerMissingError(peer, feature, { cause: error });
    throw error;
  }
}
