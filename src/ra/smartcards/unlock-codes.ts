import type { PendingUnlockCode, UnlockCodeStore } from './ports.js';

/**
 * An {@link UnlockCodeStore} in a Map: one process.
 *
 * @example
 * ```ts
 * const ra = createRegistrationAuthority({ store, unlockCodes: memoryUnlockCodes() });
 * ```
 */
export function memoryUnlockCodes(): UnlockCodeStore {
  const codes = new Map<string, PendingUnlockCode>();
  return {
    get: async (uuid) => codes.get(uuid),
    put: async (uuid, pending) => {
      codes.set(uuid, pending);
    },
    delete: async (uuid) => {
      codes.delete(uuid);
    },
  };
}
