import { checkBytes, checkName, checkRecord, invalidArgument } from '../errors/guards.js';
import type { CaRepository } from './ca-repository.js';
import type { SignatureHash, Signer } from './signer.js';

/*
 * Issue 13: the ports careid/pki is handed (a Signer, a CaRepository) checked where they
 * come in, so a host's mistake is a ValidationError naming the field, not a TypeError from
 * inside PKI.js. Plain typeof checks: a Signer signs every certificate.
 */

const HASHES: Readonly<Record<SignatureHash, true>> = {
  'SHA-256': true,
  'SHA-384': true,
  'SHA-512': true,
};
const CURVES = { 'P-256': true, 'P-384': true } as const;
const RSA_MODULUS_BITS: readonly unknown[] = [2048, 3072, 4096];

/**
 * Checks that `value` has the shape of a {@link Signer}: a public key (bytes), an
 * algorithm careid signs with, and a `sign` function. The key itself is judged later.
 *
 * @throws VALIDATION otherwise.
 */
export function checkSigner(value: unknown, what: string, field: string): asserts value is Signer {
  checkRecord(value, what, field);
  checkBytes(value['publicKey'], what, `${field}.publicKey`);
  if (typeof value['sign'] !== 'function') {
    throw invalidArgument(what, `${field}.sign`, 'a function', value['sign']);
  }
  const algorithm = value['algorithm'];
  checkRecord(algorithm, what, `${field}.algorithm`);
  checkName(algorithm['hash'], HASHES, what, `${field}.algorithm.hash`);
  if (algorithm['kind'] === 'ecdsa') {
    checkName(algorithm['curve'], CURVES, what, `${field}.algorithm.curve`);
  } else if (algorithm['kind'] === 'rsa-pkcs1') {
    if (!RSA_MODULUS_BITS.includes(algorithm['modulusBits'])) {
      throw invalidArgument(
        what,
        `${field}.algorithm.modulusBits`,
        `one of ${RSA_MODULUS_BITS.join(', ')}`,
        algorithm['modulusBits'],
      );
    }
  } else {
    throw invalidArgument(what, `${field}.algorithm.kind`, 'ecdsa or rsa-pkcs1', algorithm['kind']);
  }
}

const REPOSITORY_METHODS: readonly (keyof CaRepository)[] = [
  'loadAuthorities',
  'saveAuthority',
  'insertIssued',
  'findIssued',
  'insertRevocation',
  'findRevocation',
  'listRevocations',
  'nextCrlNumber',
];

/**
 * Checks that `value` has every method of a {@link CaRepository}.
 *
 * @throws VALIDATION otherwise.
 */
export function checkCaRepository(
  value: unknown,
  what: string,
  field: string,
): asserts value is CaRepository {
  checkRecord(value, what, field);
  for (const method of REPOSITORY_METHODS) {
    if (typeof value[method] !== 'function') {
      throw invalidArgument(what, `${field}.${method}`, 'a function', value[method]);
    }
  }
}
