/**
 * `careid/card/pcsc`: the PC/SC transport over the optional `pcsclite` package. Importing
 * this module does not load the native binding; {@link PcscContext.open} does.
 *
 * @packageDocumentation
 */
export { PcscCode, pcscCodeOf, pcscError } from './errors.js';
export {
  type PcscConnectOptions,
  PcscContext,
  type PcscEvent,
  type PcscLite,
  type PcscLiteReader,
} from './transport.js';
