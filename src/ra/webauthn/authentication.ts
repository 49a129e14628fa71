import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  checkClientData,
  type PublicKeyCredentialRequestOptionsJSON,
  requestOptions,
  verifyAssertion,
} from '../../authn/ceremonies.js';
import { WebAuthnError } from '../../authn/errors.js';
import type { RelyingParty } from '../../authn/relying-party.js';
import { clientDataOf } from '../../authn/responses.js';
import { fromBase64, utf8Text } from '../../crypto/encoding.js';
import {
  type AuthenticatorId,
  type AuthenticatorKind,
  type IsoDateTime,
  recordCredentialUse,
  type Uuid,
  type WebAuthnCredential,
} from '../../domain/index.js';
import { parseWith } from '../../errors/parse.js';
import type { StoreTx } from '../../storage/ports.js';
import { type ActivityPipeline, outcomeOf } from '../activity.js';
import { issueChallenge, openChallenge, relyingPartyOf, spendChallenge } from './challenges.js';
import {
  type AuthenticationOptionsInput,
  authenticationOptionsInputSchema,
  type VerifyAuthenticationInput,
  verifyAuthenticationInputSchema,
} from './schemas.js';

/** The options to hand to `navigator.credentials.get({ publicKey: options })`, and until when. */
export interface AuthenticationOptions {
  /** WebAuthn's `PublicKeyCredentialRequestOptionsJSON` (parse it with `PublicKeyCredential.parseRequestOptionsFromJSON`). */
  readonly options: PublicKeyCredentialRequestOptionsJSON;
  /** After this instant the challenge is refused. */
  readonly expiresAt: IsoDateTime;
}

/** Who a verified assertion proved to be there, and with what. */
export interface AuthenticationResult {
  readonly type: 'webauthn.authenticate';
  /** The user the credential belongs to: who signed in. */
  readonly user: Uuid;
  /** The authenticator record the credential belongs to. */
  readonly authenticator: AuthenticatorId;
  /** Its kind (security-key, windows-hello). */
  readonly kind: AuthenticatorKind;
  /** The credential ID, base64url. */
  readonly credential: string;
  /** The sign counter now stored. */
  readonly counter: number;
  /** Whether the authenticator verified the user (PIN, biometric), not only their presence. */
  readonly userVerified: boolean;
  /** `multiDevice`: a synced passkey. */
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
  readonly at: IsoDateTime;
}

const ACTIVITY = 'webauthn.authenticate';

/**
 * AUTH-03: the options of an authentication ceremony, asked for before anyone is signed
 * in. With `user`, the browser is told that user's credentials; without, it offers the
 * passkeys it holds for the RP ID. Whether the user exists or has credentials is not told.
 *
 * @throws VALIDATION, WEBAUTHN_NOT_CONFIGURED.
 */
export async function authenticationOptions(
  pipeline: ActivityPipeline,
  settings: RelyingParty | undefined,
  input: AuthenticationOptionsInput = {},
): Promise<AuthenticationOptions> {
  const { user } = parseWith(
    authenticationOptionsInputSchema,
    input,
    'WebAuthn authentication options',
  );
  const rp = relyingPartyOf(settings);
  const at = pipeline.now();
  return pipeline.store.transaction(async (tx) => {
    const challenge = await issueChallenge(tx, rp, at, {
      ceremony: 'authentication',
      ...(user !== undefined ? { user } : {}),
    });
    const profile = user === undefined ? undefined : await tx.users.get(user);
    const allow =
      profile?.status === 'open'
        ? (await tx.webAuthnCredentials.byUser(profile.uuid)).filter((c) => !c.removed)
        : [];
    const options = await requestOptions(rp, { challenge: challenge.challenge, allow });
    return { options, expiresAt: challenge.expiresAt };
  });
}

const unknownCredential = (why: string) =>
  new WebAuthnError(
    'WEBAUTHN_CREDENTIAL_UNKNOWN',
    `${why}: it cannot sign in; register an authenticator with the RA`,
  );

/**
 * AUTH-03: verifies the browser's answer to an authentication's options: the challenge
 * (this RA's, unspent, in time), the credential (on record, not removed, its authenticator
 * and profile not removed or closed, PROF-01), the signature and the sign counter. Only
 * then, in one transaction, the counter is stored, the challenge spent and the use audited
 * (the credential's user is the actor). A refused response changes nothing and is audited.
 *
 * @throws VALIDATION, WEBAUTHN_NOT_CONFIGURED, WEBAUTHN_CHALLENGE_UNKNOWN,
 * WEBAUTHN_CHALLENGE_EXPIRED, WEBAUTHN_CHALLENGE_USED, WEBAUTHN_CREDENTIAL_UNKNOWN,
 * WEBAUTHN_VERIFICATION_FAILED, WEBAUTHN_COUNTER_REGRESSED.
 */
export async function verifyAuthentication(
  pipeline: ActivityPipeline,
  settings: RelyingParty | undefined,
  input: VerifyAuthenticationInput,
): Promise<AuthenticationResult> {
  const { response } = parseWith(verifyAuthenticationInputSchema, input, 'WebAuthn authentication');
  const at = pipeline.now();
  // Who the attempt is audited against: the credential's user once it is found.
  let actor = 'anonymous';
  let target = '';
  try {
    const rp = relyingPartyOf(settings);
    // Unreadable client data is refused at once; its type and origin are checked once the
    // credential is found, so the refusal is audited against the credential's user.
    const data =
      clientDataOf(response.response.clientDataJSON) ??
      checkClientData(rp, undefined, 'webauthn.get');
    return await pipeline.store.transaction(async (tx) => {
      const record = await openChallenge(tx, data.challenge, 'authentication', at);
      if (response.id !== response.rawId) {
        throw new WebAuthnError(
          'WEBAUTHN_VERIFICATION_FAILED',
          'The response’s id and rawId differ',
          {
            check: 'response',
          },
        );
      }
      const credential = await tx.webAuthnCredentials.get(response.id);
      if (credential === undefined) throw unknownCredential('No credential on record has this ID');
      actor = credential.user;
      target = credential.authenticator;
      await assertUsable(tx, credential, record.user);
      checkClientData(rp, data, 'webauthn.get');
      const handle = response.response.userHandle;
      if (handle && userOfHandle(handle) !== credential.user) {
        throw new WebAuthnError(
          'WEBAUTHN_VERIFICATION_FAILED',
          'The authenticator names another user for this credential',
          { check: 'user-handle' },
        );
      }
      const verified = await verifyAssertion(
        rp,
        response as unknown as AuthenticationResponseJSON,
        {
          expectedChallenge: record.challenge,
          credential,
        },
      );
      await spendChallenge(tx, record.challenge, at);
      const used = await tx.webAuthnCredentials.update(
        recordCredentialUse(credential, { counter: verified.counter, at }),
      );
      const authenticator = await tx.authenticators.get(credential.authenticator);
      await tx.audit.append({
        at,
        actor: credential.user,
        activity: ACTIVITY,
        target: credential.authenticator,
        outcome: 'allowed',
        reasons: [
          {
            rule: 'AUTH-03',
            code: 'ASSERTION_VERIFIED',
            message: 'The assertion and its sign counter verified',
          },
        ],
        details: {
          credential: credential.id.slice(0, 100),
          counter: used.counter,
          userVerified: verified.userVerified,
        },
      });
      return {
        type: 'webauthn.authenticate' as const,
        user: credential.user,
        authenticator: credential.authenticator,
        kind: authenticator?.kind ?? 'security-key',
        credential: credential.id,
        counter: used.counter,
        userVerified: verified.userVerified,
        deviceType: verified.deviceType,
        backedUp: verified.backedUp,
        at,
      };
    });
  } catch (error) {
    const { code, message } = outcomeOf(error);
    await pipeline
      .audit({
        at,
        actor,
        activity: ACTIVITY,
        target,
        outcome: 'failed',
        reasons: [{ rule: 'OUTCOME', code, message }],
        details: {},
      })
      .catch(() => undefined);
    throw error;
  }
}

/**
 * PROF-01/AUTH-02: a credential signs in only while it, its authenticator record and its
 * profile are in force; and only as the user the options were asked for, if one was named.
 */
async function assertUsable(
  tx: StoreTx,
  credential: WebAuthnCredential,
  named: Uuid | undefined,
): Promise<void> {
  if (credential.removed)
    throw unknownCredential(`This credential was removed at ${credential.removed.at}`);
  const authenticator = await tx.authenticators.get(credential.authenticator);
  if (authenticator === undefined || authenticator.removed) {
    throw unknownCredential(
      `The authenticator ${credential.authenticator} was removed from the profile`,
    );
  }
  const user = await tx.users.get(credential.user);
  if (user === undefined || user.status !== 'open') {
    throw unknownCredential(`The profile ${credential.user} is closed`);
  }
  if (named !== undefined && named !== credential.user) {
    throw unknownCredential('This credential is not one of the named user’s');
  }
}

/** The UUID a user handle names, or undefined when it is not base64url text (refused as another user's). */
function userOfHandle(handle: string): string | undefined {
  try {
    return utf8Text(fromBase64(handle));
  } catch {
    return undefined;
  }
}
