import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CardSerial } from '../../domain/smartcard.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { CardSecrets, KeyVault, SealedStorage } from './ports.js';

/** AES-256-GCM (NIST SP 800-38D): 32-byte key, 12-byte nonce, 16-byte tag. */
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of a sealed blob: its format, so a later format can be told apart. */
const FORMAT_V1 = 1;

const secretsSchema = z.object({
  managementKey: z.string().regex(/^[0-9a-f]+$/),
  managementAlgorithm: z.enum(['3DES', 'AES-128', 'AES-192', 'AES-256']),
  puk: z.string().regex(/^\d{6,8}$/),
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
      const plain = Buffer.from(
        JSON.stringify({
          managementKey: Buffer.from(secrets.managementKey).toString('hex'),
          managementAlgorithm: secrets.managementAlgorithm,
          puk: secrets.puk,
        }),
      );
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(serial));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      plain.fill(0);
      await storage.put(
        serial,
        Uint8Array.from([FORMAT_V1, ...nonce, ...cipher.getAuthTag(), ...body]),
      );
    },
    async get(serial: CardSerial) {
      const sealed = await storage.get(serial);
      if (sealed === undefined) return undefined;
      if (sealed[0] !== FORMAT_V1 || sealed.length < 1 + NONCE_BYTES + TAG_BYTES) {
        throw new ValidationError('key vault', [
          { field: serial, message: 'the sealed secrets are not in a known format' },
        ]);
      }
      const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
      const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(Buffer.from(serial));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([
          decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
      } catch (cause) {
        throw new ValidationError(
          'key vault',
          [{ field: serial, message: 'the sealed secrets do not open with this key' }],
          { cause },
        );
      }
      const parsed = secretsSchema.parse(JSON.parse(plain.toString('utf8')));
      plain.fill(0);
      return {
        managementKey: Uint8Array.from(Buffer.from(parsed.managementKey, 'hex')),
        managementAlgorithm: parsed.managementAlgorithm,
        puk: parsed.puk,
      };
    },
    delete: (serial: CardSerial) => storage.delete(serial),
  };
}
