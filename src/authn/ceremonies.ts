import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { fromBase64, toBase64Url, utf8Bytes } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/random.js';
import type { AuthenticatorTransport, WebAuthnKind } from '../domain/index.js';
import { type WebAuthnCheck, WebAuthnError } from './errors.js';
import type { RelyingParty } from './relying-party.js';
import type { ClientData } from './responses.js';

export type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON };

// Loaded on the first ceremony, not with careid: most hosts never run one, and the library
// brings an X.509 stack with it. Kept once loaded: every import() call resolves the
// specifier again (through the loader hooks, where there are any: about 1 ms under tsx).
let loaded: Promise<typeof import('@simplewebauthn/server')> | undefined;
const library = () => {
  loaded ??= import('@simplewebauthn/server');
  return loaded;
};

/** ES256, EdDSA, RS256: what security keys and Windows Hello sign with. */
const ALGORITHMS = [-7, -8, -257];

/**
 * A fresh challenge: 32 random bytes, base64url (WebAuthn §13.4.3 asks for at least 16).
 *
 * @example
 * ```ts
 * const challenge = newChallenge(); // 43 characters
 * ```
 */
export function newChallenge(): string {
  return toBase64Url(randomBytes(32));
}

/** The user handle careid gives a credential: the UUID's digits, so a passkey names its user. */
export const userHandleOf = (uuid: string): string => toBase64Url(utf8Bytes(uuid));

/** A stored credential as an exclude or allow list entry. */
export interface CredentialDescriptor {
  readonly id: string;
  readonly transports: readonly AuthenticatorTransport[];
}

/**
 * The options of `navigator.credentials.create()` for one registration (AUTH-03): a
 * security key is a roaming authenticator, Windows Hello the platform's; the user's
 * credentials are excluded so one authenticator is not registered twice.
 *
 * @example
 * ```ts
 * const options = await creationOptions(rp, { challenge, user, kind: 'security-key', exclude: [] });
 * ```
 */
export async function creationOptions(
  rp: RelyingParty,
  input: {
    readonly challenge: string;
    readonly user: { readonly uuid: string; readonly displayName: string };
    readonly kind: WebAuthnKind;
    readonly exclude: readonly CredentialDescriptor[];
  },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions } = await library();
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: input.user.uuid,
    userID: new Uint8Array(utf8Bytes(input.user.uuid)),
    userDisplayName: input.user.displayName,
    challenge: new Uint8Array(fromBase64(input.challenge)),
    timeout: rp.challengeTtlSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: input.exclude.map((c) => ({ id: c.id, transports: [...c.transports] })),
    authenticatorSelection: {
      authenticatorAttachment: input.kind === 'windows-hello' ? 'platform' : 'cross-platform',
      residentKey: 'preferred',
      userVerification: rp.userVerification,
    },
    extensions: { credProps: true },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/**
 * The options of `navigator.credentials.get()` (AUTH-03): the named user's credentials,
 * or none (the browser offers the passkeys it holds for the RP ID).
 *
 * @example
 * ```ts
 * const options = await requestOptions(rp, { challenge, allow: credentials });
 * ```
 */
export async function requestOptions(
  rp: RelyingParty,
  input: { readonly challenge: string; readonly allow: readonly CredentialDescriptor[] },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await library();
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: new Uint8Array(fromBase64(input.challenge)),
    timeout: rp.challengeTtlSeconds * 1000,
    userVerification: rp.userVerification,
    allowCredentials: input.allow.map((c) => ({ id: c.id, transports: [...c.transports] })),
  });
}

const failed = (check: WebAuthnCheck, message: string, cause?: unknown) =>
  new WebAuthnError('WEBAUTHN_VERIFICATION_FAILED', message, { check, cause });

/**
 * Checks what the browser says it signed: the ceremony's type and an expected origin
 * (WebAuthn §7.1 steps 7 and 9, §7.2 steps 11 and 13); the challenge is the caller's.
 *
 * @throws WEBAUTHN_VERIFICATION_FAILED (check `response`, `type` or `origin`).
 * @example
 * ```ts
 * checkClientData(rp, clientDataOf(json), 'webauthn.create');
 * ```
 */
export function checkClientData(
  rp: RelyingParty,
  data: ClientData | undefined,
  type: 'webauthn.create' | 'webauthn.get',
): ClientData {
  if (data === undefined) {
    throw failed(
      'response',
      'The response carries no readable client data: send the browser’s answer as it is',
    );
  }
  if (data.type !== type) {
    throw failed(
      'type',
      `The response is of type ${JSON.stringify(data.type).slice(0, 40)}, not ${type}: answer the ceremony it was asked for`,
    );
  }
  if (!rp.origins.includes(data.origin)) {
    throw failed(
      'origin',
      `The response was made on ${JSON.stringify(data.origin).slice(0, 100)}, which is not one of this RA's origins (${rp.origins.join(', ')})`,
    );
  }
  return data;
}

/** The check a library error names; its message is kept as the cause, never shown. */
function libraryFailure(error: unknown): WebAuthnError {
  const text = error instanceof Error ? `${error.name} ${error.message}` : '';
  if (/RPID/i.test(text) || /RP ID/i.test(text)) {
    return failed(
      'rp-id',
      'The authenticator signed for another RP ID than this RA’s: register and sign in on this RA’s own site',
      error,
    );
  }
  if (/verif/i.test(text)) {
    return failed(
      'user-verification',
      'The authenticator did not verify the user (PIN or biometric), which this RA requires',
      error,
    );
  }
  if (/presen/i.test(text)) {
    return failed(
      'user-presence',
      'The authenticator did not see the user present: touch the key when it asks',
      error,
    );
  }
  if (/origin/i.test(text))
    return failed('origin', 'The response was made on another origin', error);
  if (/challenge/i.test(text))
    return failed('challenge', 'The response answers another challenge', error);
  return failed(
    'response',
    'The response is malformed or was not made by a WebAuthn authenticator',
    error,
  );
}

/** What a verified registration gives the store. */
export interface VerifiedAttestation {
  readonly id: string;
  /** COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly AuthenticatorTransport[];
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
  readonly aaguid: string;
  readonly userVerified: boolean;
  readonly discoverable?: boolean;
}

/**
 * Verifies a registration response against its challenge (WebAuthn §7.1): client data
 * type and origin, the RP ID hash, user presence (and verification when the RA requires
 * it), the attestation statement and the credential's public key.
 *
 * @throws WEBAUTHN_VERIFICATION_FAILED naming the failed check.
 * @example
 * ```ts
 * const verified = await verifyAttestation(rp, response, challenge);
 * ```
 */
export async function verifyAttestation(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<VerifiedAttestation> {
  const { verifyRegistrationResponse } = await library();
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserPresence: true,
      requireUserVerification: rp.userVerification === 'required',
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch (error) {
    throw libraryFailure(error);
  }
  if (!result.verified) throw failed('signature', 'The attestation does not verify');
  const info = result.registrationInfo;
  if (response.id !== info.credential.id || response.rawId !== info.credential.id) {
    throw failed(
      'response',
      'The response names another credential than the one the authenticator created',
    );
  }
  const rk = (response.clientExtensionResults as { credProps?: { rk?: unknown } }).credProps?.rk;
  return {
    id: info.credential.id,
    publicKey: toBase64Url(info.credential.publicKey),
    counter: info.credential.counter,
    transports: (response.response.transports ?? []) as AuthenticatorTransport[],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    aaguid: info.aaguid,
    userVerified: info.userVerified,
    ...(typeof rk === 'boolean' ? { discoverable: rk } : {}),
  };
}

/** What a verified assertion tells. */
export interface VerifiedAssertion {
  /** The new sign counter (0 for an authenticator that keeps none). */
  readonly counter: number;
  readonly userVerified: boolean;
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
}

/**
 * Verifies an authentication response against its challenge and the stored credential
 * (WebAuthn §7.2): client data type and origin, the RP ID hash, user presence (and
 * verification when required), the signature, then the sign counter: one that does not go
 * up is refused unless the authenticator keeps none (both 0, §6.1.1).
 *
 * @throws WEBAUTHN_VERIFICATION_FAILED naming the failed check.
 * @throws WEBAUTHN_COUNTER_REGRESSED when the counter did not go up.
 * @example
 * ```ts
 * const { counter } = await verifyAssertion(rp, response, { expectedChallenge, credential });
 * ```
 */
export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  input: {
    readonly expectedChallenge: string;
    readonly credential: {
      readonly id: string;
      readonly publicKey: string;
      readonly counter: number;
      readonly transports: readonly AuthenticatorTransport[];
    };
  },
): Promise<VerifiedAssertion> {
  const { verifyAuthenticationResponse } = await library();
  const { credential } = input;
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
      // Counter 0 here: the library's counter check runs before the signature's, and its
      // error is a sentence; careid checks the counter itself once the signature verified.
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(fromBase64(credential.publicKey)),
        counter: 0,
        transports: [...credential.transports],
      },
    });
  } catch (error) {
    throw libraryFailure(error);
  }
  if (!result.verified) {
    throw failed('signature', 'The signature does not verify with the registered public key');
  }
  const info = result.authenticationInfo;
  const stored = credential.counter;
  if ((stored > 0 || info.newCounter > 0) && info.newCounter <= stored) {
    throw new WebAuthnError(
      'WEBAUTHN_COUNTER_REGRESSED',
      `The authenticator's sign counter went from ${stored} to ${info.newCounter}, not up: it may be a clone. Check the user's authenticator before registering it again`,
      { check: 'counter' },
    );
  }
  return {
    counter: info.newCounter,
    userVerified: info.userVerified,
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
  };
}
