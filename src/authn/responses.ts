import { z } from 'zod';
import { fromBase64, utf8Text } from '../crypto/encoding.js';
import { authenticatorTransports, base64urlSchema, credentialIdSchema } from '../domain/index.js';

const knownTransports: ReadonlySet<string> = new Set(authenticatorTransports);

/** Transports as browsers send them; ones careid does not know are dropped, not refused. */
const transportsSchema = z
  .array(z.string().max(32))
  .max(16)
  .transform(
    (list) =>
      list.filter((t) => knownTransports.has(t)) as (typeof authenticatorTransports)[number][],
  );

const clientExtensionResults = z
  .looseObject({ credProps: z.looseObject({ rk: z.boolean().optional() }).optional() })
  .default({});

/**
 * AUTH-03: the answer of `navigator.credentials.create()` as JSON (`PublicKeyCredential.toJSON()`,
 * or `@simplewebauthn/browser`'s `startRegistration`): what the registration verify step takes.
 */
export const registrationResponseSchema = z.looseObject({
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64urlSchema(8192),
    attestationObject: base64urlSchema(65536),
    transports: transportsSchema.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
});
/** A registration response as the browser sends it. */
export type RegistrationResponse = z.input<typeof registrationResponseSchema>;

/**
 * AUTH-03: the answer of `navigator.credentials.get()` as JSON (`PublicKeyCredential.toJSON()`,
 * or `@simplewebauthn/browser`'s `startAuthentication`): what the authentication verify step takes.
 */
export const authenticationResponseSchema = z.looseObject({
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: base64urlSchema(8192),
    authenticatorData: base64urlSchema(8192),
    signature: base64urlSchema(1024),
    userHandle: z.union([base64urlSchema(128), z.literal('')]).nullish(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults,
});
/** An authentication response as the browser sends it. */
export type AuthenticationResponse = z.input<typeof authenticationResponseSchema>;

/** What the browser says it signed (WebAuthn §5.8.1), the fields careid checks. */
export interface ClientData {
  readonly type: string;
  readonly challenge: string;
  readonly origin: string;
}

/**
 * The client data of a response, decoded; `undefined` when it is not the JSON object the
 * browser writes.
 *
 * @example
 * ```ts
 * const challenge = clientDataOf(response.response.clientDataJSON)?.challenge;
 * ```
 */
export function clientDataOf(clientDataJSON: string): ClientData | undefined {
  try {
    const data = JSON.parse(utf8Text(fromBase64(clientDataJSON))) as unknown;
    if (typeof data !== 'object' || data === null) return undefined;
    const { type, challenge, origin } = data as Record<string, unknown>;
    if (typeof type !== 'string' || typeof challenge !== 'string' || typeof origin !== 'string') {
      return undefined;
    }
    return { type, challenge, origin };
  } catch {
    return undefined;
  }
}
