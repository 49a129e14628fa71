import { CareIdError, type CareIdErrorJson } from '../errors/care-id-error.js';
import type { CareIdErrorCode } from '../errors/codes.js';
import type { Answer } from './answer.js';

/**
 * The codes careid/http answers with itself, before a request reaches the RA.
 *
 * @example
 * ```ts
 * if ((await res.json()).code === ('UNAUTHENTICATED' satisfies HttpErrorCode)) signIn();
 * ```
 */
export type HttpErrorCode = Extract<
  CareIdErrorCode,
  | 'UNAUTHENTICATED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL'
>;

/**
 * A request refused by the HTTP layer before it reached the RA: no actor, a body too
 * large or not JSON, a path or method the handler does not serve. Nothing was read or
 * written; an authenticated actor's refusal is audited.
 *
 * @example
 * ```ts
 * const res = await handler(request);
 * if (res.status === 413) console.log((await res.json()).code); // 'BODY_TOO_LARGE'
 * ```
 */
export class HttpError extends CareIdError<HttpErrorCode> {
  override name = 'HttpError';
  /** For `METHOD_NOT_ALLOWED`: the methods the path is served with (the `Allow` header). */
  readonly allow?: readonly string[];

  constructor(
    code: HttpErrorCode,
    message: string,
    options: { readonly allow?: readonly string[]; readonly cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    if (options.allow !== undefined) this.allow = options.allow;
  }
}

/**
 * The HTTP status of every careid error code: one fixed mapping. Bad input 400, no actor
 * 401, a policy denial 403, a missing record or path 404, a state that forbids the change
 * or a lost race 409 (a spent WebAuthn challenge too), a body too large 413, not JSON 415,
 * a certificate, key or WebAuthn response the RA cannot accept 422, a blocked card 423,
 * WebAuthn not set up 501, the store unreachable 503.
 *
 * @example
 * ```ts
 * httpStatusOf['POLICY_DENIED']; // 403
 * ```
 */
export const httpStatusOf: Readonly<Record<CareIdErrorCode, number>> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  POLICY_DENIED: 403,
  CONFLICT: 409,
  DUPLICATE: 409,
  STORE_UNAVAILABLE: 503,
  AUDIT_BROKEN: 500,
  PKI_MALFORMED: 400,
  PKI_BAD_SIGNATURE: 422,
  PKI_WEAK_KEY: 422,
  PKI_UNSUPPORTED: 422,
  PKI_CHAIN_INVALID: 422,
  PKI_REVOKED: 422,
  PKI_EXPIRED: 422,
  PKI_KEY_MISMATCH: 422,
  PKI_KEY_REUSED: 422,
  CARD_STATUS: 502,
  CARD_PIN_INCORRECT: 422,
  CARD_BLOCKED: 423,
  CARD_SECURITY_STATUS: 422,
  CARD_NOT_FOUND: 409,
  CARD_REMOVED: 409,
  CARD_TRANSPORT: 503,
  CARD_PROTOCOL: 502,
  CARD_AUTHENTICATION: 422,
  CARD_UNSUPPORTED: 422,
  // AUTH-03: a WebAuthn response the RA cannot accept; a spent challenge is a state
  // conflict; ceremonies on an RA without relying-party settings are not served.
  WEBAUTHN_NOT_CONFIGURED: 501,
  WEBAUTHN_CHALLENGE_UNKNOWN: 422,
  WEBAUTHN_CHALLENGE_EXPIRED: 422,
  WEBAUTHN_CHALLENGE_USED: 409,
  WEBAUTHN_VERIFICATION_FAILED: 422,
  WEBAUTHN_COUNTER_REGRESSED: 422,
  WEBAUTHN_CREDENTIAL_UNKNOWN: 422,
  UNAUTHENTICATED: 401,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INTERNAL: 500,
  // A server without an optional peer it was configured to use (pg, better-sqlite3): its
  // operator's fault, not the client's.
  OPTIONAL_PEER_MISSING: 500,
};

/** Headers every answer carries: its records are personal data, never cached or sniffed. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

const JSON_HEADERS: Readonly<Record<string, string>> = {
  ...BASE_HEADERS,
  'content-type': 'application/json; charset=utf-8',
};
const encoder = new TextEncoder();

/**
 * A JSON answer with the base headers, as bytes (a Fetch API `Response` is made of it only
 * where one is needed: the Node adapter writes the bytes as they are).
 */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {},
): Answer {
  return {
    status,
    headers: { ...JSON_HEADERS, ...headers },
    body: encoder.encode(JSON.stringify(body)),
  };
}

/** A 200 answer of JSON text made already, with the base headers. */
export function jsonText(text: string): Answer {
  return { status: 200, headers: JSON_HEADERS, body: encoder.encode(text) };
}

/** A 200 answer of JSON bytes made already (never written to), with the base headers. */
export function jsonBytes(body: Uint8Array): Answer {
  return { status: 200, headers: JSON_HEADERS, body };
}

/** What an error that is not a careid error becomes on the wire: nothing of it leaks. */
const internal = (): CareIdErrorJson =>
  new HttpError('INTERNAL', 'The server failed to answer; the failure is logged there.').toJSON();

/**
 * The answer for a thrown value: a careid error as its JSON with its fixed status; any
 * other value (a bug) as a bare 500 that says nothing of it.
 */
export function errorResponse(
  error: unknown,
  headers: Readonly<Record<string, string>> = {},
): Answer {
  if (error instanceof CareIdError) {
    return jsonResponse(
      error.toJSON(),
      httpStatusOf[error.code as CareIdErrorCode] ?? 500,
      headers,
    );
  }
  return jsonResponse(internal(), 500, headers);
}
