/**
 * `careid/card`: the smartcard driver. APDUs (ISO 7816-4), a PIV session (NIST SP 800-73-4),
 * a virtual PIV card for tests and demos, and the APDU log hook. No native module is loaded
 * here; the PC/SC transport lives in `careid/card/pcsc`.
 *
 * @packageDocumentation
 */
export {
  type CommandApdu,
  commandApdu,
  decodeCommandApdu,
  encodeCommandApdu,
  needsExtendedLength,
} from './apdu/command.js';
export { decodeResponseApdu, encodeResponseApdu, type ResponseApdu } from './apdu/response.js';
export { expectSuccess, statusError, swHex, triesLeftOf } from './apdu/status.js';
export {
  decodeTlv,
  encodeBerLength,
  encodeTlv,
  findTlv,
  requireTlv,
  type Tlv,
} from './apdu/tlv.js';
export { ApduTransceiver, type TransceiverOptions } from './apdu/transceiver.js';
export type { CardConnection } from './connection.js';
export {
  CardAuthenticationError,
  CardBlockedError,
  CardNotFoundError,
  CardProtocolError,
  CardRemovedError,
  CardStatusError,
  CardTransportError,
  CardUnsupportedError,
  PinIncorrectError,
  SecurityStatusError,
} from './errors.js';
export {
  CERTIFICATE_OBJECT,
  type ManagementKeyAlgorithm,
  PIV_AID,
  PIV_SLOTS,
  PivAlg,
  type PivKeyAlgorithm,
  PivKeyRef,
  PivObject,
  type PivSlot,
} from './piv/constants.js';
export { DEFAULT_MANAGEMENT_KEY } from './piv/management-key.js';
export {
  type Chuid,
  chuidSignedContent,
  decodeCertificateObject,
  decodeChuid,
  encodeCertificateObject,
  encodeChuid,
  holderGuid,
  holderOfGuid,
  NON_FEDERAL_FASCN,
} from './piv/objects.js';
export { checkPin, checkPuk } from './piv/pin.js';
export { publicKeyTemplateToSpki } from './piv/public-key.js';
export {
  type PinStatus,
  type PivApplication,
  PivSession,
  type PivSessionOptions,
} from './piv/session.js';
export { connectVirtualCard } from './sim/in-process.js';
export { VirtualPivCard, type VirtualPivCardOptions } from './sim/virtual-piv-card.js';
export { attachToVpcd, parseVpcdAddress, type VpcdAddress, type VpcdLink } from './sim/vpcd.js';
export type { ApduLogEntry, ApduLogger } from './trace/log.js';
export { type ApduHeader, redactCommand, redactResponse } from './trace/redact.js';
