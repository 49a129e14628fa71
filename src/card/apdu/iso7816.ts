/**
 * ISO/IEC 7816-4:2020 constants used by the APDU layer. Each names the clause that
 * defines it.
 */

/** CLA of every PIV command: interindustry, no secure messaging, logical channel 0 (ISO 7816-4 §5.4.1). */
export const CLA_INTERINDUSTRY = 0x00;
/** CLA bit b5 set: "command is not the last of a chain" (ISO 7816-4 §5.4.1, Table 2). */
export const CLA_CHAINING = 0x10;

/** GET RESPONSE, fetches the rest of a response announced by 61xx (ISO 7816-4 §11.7.1). */
export const INS_GET_RESPONSE = 0xc0;

/**
 * GET CHALLENGE, asks the card for Ne random bytes (ISO 7816-4 §11.6.3); P1-P2 = 0000 (no
 * further information).
 */
export const INS_GET_CHALLENGE = 0x84;

/** Largest Nc of a short command APDU (ISO 7816-4 §5.1, Table 5). */
export const SHORT_MAX_NC = 255;
/** Largest Ne of a short command APDU, encoded as Le = 00 (ISO 7816-4 §5.1). */
export const SHORT_MAX_NE = 256;
/** Largest Nc of an extended command APDU (ISO 7816-4 §5.1). */
export const EXTENDED_MAX_NC = 65_535;
/** Largest Ne of an extended command APDU, encoded as Le = 0000 (ISO 7816-4 §5.1). */
export const EXTENDED_MAX_NE = 65_536;

/** Normal processing (ISO 7816-4 §5.6, Table 6). */
export const SW_SUCCESS = 0x9000;
/** SW1 61: SW2 bytes still available, fetch with GET RESPONSE (ISO 7816-4 §5.6, Table 6). */
export const SW1_BYTES_AVAILABLE = 0x61;
/** SW1 6C: wrong Le, SW2 gives the exact length (ISO 7816-4 §5.6, Table 6). */
export const SW1_WRONG_LE = 0x6c;
/** SW1 63 with SW2 Cx: verification failed, x tries left (ISO 7816-4 §5.6, Table 6). */
export const SW1_WARNING_COUNTER = 0x63;
/** Mask and value of SW2 when it carries a counter (ISO 7816-4 §5.6, Table 6). */
export const SW2_COUNTER_MASK = 0xf0;
/** SW2 high nibble C: the low nibble is a counter (ISO 7816-4 §5.6, Table 6). */
export const SW2_COUNTER = 0xc0;
/** Memory failure (ISO 7816-4 §5.6, Table 6). */
export const SW_MEMORY_FAILURE = 0x6581;
/** Wrong length (ISO 7816-4 §5.6, Table 6). */
export const SW_WRONG_LENGTH = 0x6700;
/** Last command of the chain expected (ISO 7816-4 §5.6, Table 6). */
export const SW_LAST_COMMAND_EXPECTED = 0x6883;
/** Command chaining not supported (ISO 7816-4 §5.6, Table 6). */
export const SW_CHAINING_NOT_SUPPORTED = 0x6884;
/** Security status not satisfied (ISO 7816-4 §5.6, Table 6). */
export const SW_SECURITY_STATUS = 0x6982;
/** Authentication method blocked (ISO 7816-4 §5.6, Table 6). */
export const SW_AUTH_BLOCKED = 0x6983;
/** Conditions of use not satisfied (ISO 7816-4 §5.6, Table 6). */
export const SW_CONDITIONS_NOT_SATISFIED = 0x6985;
/** Incorrect parameters in the command data field (ISO 7816-4 §5.6, Table 6). */
export const SW_WRONG_DATA = 0x6a80;
/** Function not supported (ISO 7816-4 §5.6, Table 6). */
export const SW_FUNCTION_NOT_SUPPORTED = 0x6a81;
/** File or application not found (ISO 7816-4 §5.6, Table 6). */
export const SW_NOT_FOUND = 0x6a82;
/** Not enough memory space in the file (ISO 7816-4 §5.6, Table 6). */
export const SW_NOT_ENOUGH_MEMORY = 0x6a84;
/** Incorrect parameters P1-P2 (ISO 7816-4 §5.6, Table 6). */
export const SW_WRONG_P1P2 = 0x6a86;
/** Referenced data or reference data not found (ISO 7816-4 §5.6, Table 6). */
export const SW_REFERENCE_NOT_FOUND = 0x6a88;
/** Instruction code not supported or invalid (ISO 7816-4 §5.6, Table 6). */
export const SW_INS_NOT_SUPPORTED = 0x6d00;
/** Class not supported (ISO 7816-4 §5.6, Table 6). */
export const SW_CLA_NOT_SUPPORTED = 0x6e00;
/** No precise diagnosis (ISO 7816-4 §5.6, Table 6). */
export const SW_UNKNOWN = 0x6f00;
