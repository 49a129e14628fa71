/**
 * careid: the registration-authority side of NHS smartcard identity management.
 *
 * @packageDocumentation
 */
export * from './errors/index.js';
