import { z } from 'zod';
import { fromHex, toHex, utf8Bytes, utf8Text } from '../../crypto/encoding.js';
import type { CardSerial } from '../../domain/smartcard.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { CardSecrets, KeyVault, SealedStorage } from './ports.js';
import { openEnvelope, sealEnvelope } from './sealed-envelope.js';

/** AES-256: a 32-byte key (the envelope is in sealed-envelope.ts). */
const KEY_BYTES = 32;

const secretSetSchema = z.object({
  managementKey: z.string().regex(/^[0-9a-f]+$/),
  managementAlgorithm: z.enum(['3DES', 'AES-128', 'AES-192', 'AES-256']),
  puk: z.string().regex(/^\d{6,8}$/),
});
const secretsSchema = secretSetSchema.extend({ previous: z.array(secretSetSchema).optional() });

type SecretSet = Omit<CardSecrets, 'previous'>;
const toPlain = (s: SecretSet) => ({
  managementKey: toHex(s.managementKey),
  managementAlgorithm: s.managementAlgorithm,
  puk: s.puk,
});
const fromPlain = (s: z.infer<typeof secretSetSchema>): SecretSet => ({
  managementKey: fromHex(s.managementKey),
  managementAlgorithm: s.managementAlgorithm,
  puk: s.puk,
});

/**
 * A {@link SealedStorage} in a Map: for tests, demos and one-process hosts.
 *
 * @example
 * ```ts
 * const vault = aesGcmKeyVault({ key, storage: memorySealedStorage() });
 * ```
 */
export function memorySealedStorage(): SealedStorage {
  const blobs = new Map<string, Uint8Array>();
  return {
    get: async (serial) => blobs.get(serial),
    put: async (serial, sealed) => {
      blobs.set(serial, sealed);
    },
    delete: async (serial) => {
      blobs.delete(serial);
    },
  };
}

/**
 * The default {@link KeyVault}: each card's secrets sealed with AES-256-GCM under a key
 * the host provides, bound to the card serial (additional authenticated data), so a blob
 * copied to another card's entry does not open. Blobs live in `storage` (in memory by
 * default; give a file or database storage to keep them across restarts).
 *
 * @throws VALIDATION when the key is not 32 bytes.
 * @example
 * ```ts
 * const vault = aesGcmKeyVault({ key: Buffer.from(process.env.CAREID_VAULT_KEY!, 'base64') });
 * ```
 */
export function aesGcmKeyVault(options: {
  readonly key: Uint8Array;
  readonly storage?: SealedStorage;
}): KeyVault {
  if (!(options.key instanceof Uint8Array) || options.key.length !== KEY_BYTES) {
    throw new ValidationError('key vault', [
      { field: 'key', message: `must be ${KEY_BYTES} bytes (AES-256)` },
    ]);
  }
  const key = Uint8Array.from(options.key);
  const storage = options.storage ?? memorySealedStorage();
  return {
    async put(serial: CardSerial, secrets: CardSecrets) {
      const previous = secrets.previous ?? [];
      const plain = utf8Bytes(
        JSON.stringify({
          ...toPlain(secrets),
          ...(previous.length > 0 ? { previous: previous.map(toPlain) } : {}),
        }),
      );
      const sealed = sealEnvelope(key, plain, utf8Bytes(serial));
      plain.fill(0);
      await storage.put(serial, sealed);
    },
    async get(serial: CardSerial) {
      const sealed = await storage.get(serial);
      if (sealed === undefined) return undefined;
      const plain = openEnvelope(key, sealed, utf8Bytes(serial));
      if (typeof plain === 'string') {
        throw new ValidationError('key vault', [
          {
            field: serial,
            message:
              plain === 'format'
                ? 'the sealed secrets are not in a known format'
                : 'the sealed secrets do not open with this key',
          },
        ]);
      }
      const parsed = secretsSchema.parse(JSON.parse(utf8Text(plain)));
      plain.fill(0);
      return {
        ...fromPlain(parsed),
        ...(parsed.previous ? { previous: parsed.previous.map(fromPlain) } : {}),
      };
    },
    delete: (serial: CardSerial) => storage.delete(serial),
  };
}
