import {
  DEFAULT_MANAGEMENT_KEY,
  NON_FEDERAL_FASCN,
  type PivSession,
} from '../../src/card/index.js';

/** Every PivSession operation, each from a freshly opened session on a factory card. */
export const OPERATIONS: readonly (readonly [string, (piv: PivSession) => Promise<unknown>])[] = [
  ['select', (piv) => piv.select()],
  ['pinStatus', (piv) => piv.pinStatus()],
  ['pukTriesLeft', (piv) => piv.pukTriesLeft()],
  ['verifyPin', (piv) => piv.verifyPin('123456')],
  ['changePin', (piv) => piv.changePin('123456', '654321')],
  ['changePuk', (piv) => piv.changePuk('12345678', '87654321')],
  ['unblockPin', (piv) => piv.unblockPin('12345678', '654321')],
  ['authenticate', (piv) => piv.authenticate(DEFAULT_MANAGEMENT_KEY)],
  [
    'writeChuid+readChuid',
    async (piv) => {
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      await piv.writeChuid({
        fascn: NON_FEDERAL_FASCN,
        guid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        expiry: '20291231',
      });
      return piv.readChuid();
    },
  ],
  [
    'writeCertificate+readCertificate (chained, GET RESPONSE)',
    async (piv) => {
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      await piv.writeCertificate(0x9a, new Uint8Array(700).fill(0x42));
      return piv.readCertificate(0x9a);
    },
  ],
  [
    'generate P-256 + sign',
    async (piv) => {
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      const publicKey = await piv.generateKey(0x9a, 'P-256');
      const signer = piv.signer({
        publicKey,
        pin: '123456',
        algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' },
      });
      return signer.sign(Uint8Array.of(1, 2, 3));
    },
  ],
  [
    'generate RSA-2048 + sign (61xx and chaining)',
    async (piv) => {
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      const publicKey = await piv.generateKey(0x9c, 'RSA-2048');
      const signer = piv.signer({
        publicKey,
        slot: 0x9c,
        pin: '123456',
        algorithm: { kind: 'rsa-pkcs1', modulusBits: 2048, hash: 'SHA-256' },
      });
      return signer.sign(Uint8Array.of(1, 2, 3));
    },
  ],
];
