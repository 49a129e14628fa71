import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import {
  checkClientData,
  creationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  verifyAttestation,
} from '../../authn/ceremonies.js';
import type { RelyingParty } from '../../authn/relying-party.js';
import { clientDataOf } from '../../authn/responses.js';
import {
  type Authenticator,
  authenticatorSchema,
  type IsoDateTime,
  newId,
  type WebAuthnCredential,
} from '../../domain/index.js';
import { parseWith } from '../../errors/parse.js';
import type { ActivityPipeline } from '../activity.js';
import type { CommandResult } from '../use-case.js';
import { authorizeFor } from '../use-cases/authenticators.js';
import { issueChallenge, openChallenge, relyingPartyOf, spendChallenge } from './challenges.js';
import {
  type RegistrationOptionsInput,
  registrationOptionsInputSchema,
  type VerifyRegistrationInput,
  verifyRegistrationInputSchema,
} from './schemas.js';

/** The options to hand to `navigator.credentials.create({ publicKey: options })`, and until when. */
export interface RegistrationOptions {
  /** WebAuthn's `PublicKeyCredentialCreationOptionsJSON` (parse it with `PublicKeyCredential.parseCreationOptionsFromJSON`). */
  readonly options: PublicKeyCredentialCreationOptionsJSON;
  /** After this instant the challenge is refused. */
  readonly expiresAt: IsoDateTime;
}

/** A WebAuthn credential as a result shows it: everything but the public key. */
export type CredentialSummary = Omit<WebAuthnCredential, 'publicKey'>;

/** What a verified registration stored: the authenticator record and its credential. */
export interface RegistrationResult extends CommandResult {
  readonly type: 'webauthn.register';
  readonly authenticator: Authenticator;
  readonly credential: CredentialSummary;
}

/** A credential without its public key. */
export const summaryOf = ({ publicKey: _key, ...summary }: WebAuthnCredential): CredentialSummary =>
  summary;

/**
 * AUTH-01/AUTH-02/AUTH-03: the options of a registration ceremony. Decided as
 * `authenticator.register` is (self-service on one's own profile, RA-managed with the user
 * present on another's); the challenge, stored with what was decided, is the actor's to
 * answer within the RP's time to live.
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND (audited), WEBAUTHN_NOT_CONFIGURED.
 */
export function registrationOptions(
  pipeline: ActivityPipeline,
  settings: RelyingParty | undefined,
  actor: string,
  input: RegistrationOptionsInput,
): Promise<RegistrationOptions> {
  const spec = {
    activity: 'webauthn.registration-options',
    schema: registrationOptionsInputSchema,
    actor,
    input,
    what: 'WebAuthn registration options',
  };
  return pipeline.runInTransaction(spec, async (ctx, command) => {
    const rp = relyingPartyOf(settings);
    const user = command.user ?? ctx.actorUuid;
    const decision = await authorizeFor(ctx, command.kind, user, command.userPresent);
    const profile = await ctx.tx.users.get(user);
    const challenge = await issueChallenge(ctx.tx, rp, ctx.at, {
      ceremony: 'registration',
      actor: ctx.actorUuid,
      user,
      kind: command.kind,
      label: command.label,
      userPresent: command.userPresent,
    });
    const active = (await ctx.tx.webAuthnCredentials.byUser(user)).filter((c) => !c.removed);
    const options = await creationOptions(rp, {
      challenge: challenge.challenge,
      user: {
        uuid: user,
        displayName: profile ? `${profile.name.given} ${profile.name.family}` : user,
      },
      kind: command.kind,
      exclude: active,
    });
    return {
      result: { options, expiresAt: challenge.expiresAt },
      audit: {
        activity: 'webauthn.registration-options',
        target: user,
        decision,
        details: { kind: command.kind, expiresAt: challenge.expiresAt },
      },
    };
  });
}

/**
 * AUTH-03: verifies the browser's answer to a registration's options and, only once its
 * attestation verifies, stores the authenticator record (AUTH-01/AUTH-02) and its WebAuthn
 * credential and spends the challenge, in one transaction with the audit record. The
 * decision is taken again at this instant. A refused response changes nothing.
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, DUPLICATE (a credential already on record),
 * WEBAUTHN_NOT_CONFIGURED, WEBAUTHN_CHALLENGE_UNKNOWN, WEBAUTHN_CHALLENGE_EXPIRED,
 * WEBAUTHN_CHALLENGE_USED, WEBAUTHN_VERIFICATION_FAILED; all audited.
 */
export function verifyRegistration(
  pipeline: ActivityPipeline,
  settings: RelyingParty | undefined,
  actor: string,
  input: VerifyRegistrationInput,
): Promise<RegistrationResult> {
  const spec = {
    activity: 'webauthn.register',
    schema: verifyRegistrationInputSchema,
    actor,
    input,
    what: 'WebAuthn registration',
  };
  return pipeline.runInTransaction(spec, async (ctx, { response }) => {
    const rp = relyingPartyOf(settings);
    const data = checkClientData(
      rp,
      clientDataOf(response.response.clientDataJSON),
      'webauthn.create',
    );
    const record = await openChallenge(
      ctx.tx,
      data.challenge,
      'registration',
      ctx.at,
      (c) => c.actor === ctx.actorUuid,
    );
    const decision = await authorizeFor(ctx, record.kind, record.user, record.userPresent);
    const verified = await verifyAttestation(
      rp,
      response as unknown as RegistrationResponseJSON,
      record.challenge,
    );
    await spendChallenge(ctx.tx, record.challenge, ctx.at);
    const authenticator = await ctx.tx.authenticators.insert(
      parseWith(
        authenticatorSchema,
        {
          id: newId('auth'),
          user: record.user,
          kind: record.kind,
          label: record.label,
          route: record.user === ctx.actorUuid ? 'self' : 'ra',
          registeredBy: ctx.actorUuid,
          registeredAt: ctx.at,
          version: 0,
        },
        'authenticator',
      ),
    );
    const credential = await ctx.tx.webAuthnCredentials.insert({
      id: verified.id,
      user: record.user,
      authenticator: authenticator.id,
      publicKey: verified.publicKey,
      counter: verified.counter,
      transports: verified.transports,
      deviceType: verified.deviceType,
      backedUp: verified.backedUp,
      ...(verified.discoverable !== undefined ? { discoverable: verified.discoverable } : {}),
      aaguid: verified.aaguid,
      registeredAt: ctx.at,
      version: 0,
    });
    return {
      result: {
        type: 'webauthn.register',
        authenticator,
        credential: summaryOf(credential),
        changed: [
          { kind: 'authenticators', key: authenticator.id, op: 'insert', version: 0 },
          { kind: 'webAuthnCredentials', key: credential.id, op: 'insert', version: 0 },
        ],
        decision,
      },
      audit: {
        activity: 'webauthn.register',
        target: record.user,
        decision,
        details: {
          kind: authenticator.kind,
          route: authenticator.route,
          authenticator: authenticator.id,
          credential: credential.id.slice(0, 100),
          aaguid: credential.aaguid,
          deviceType: credential.deviceType,
          userVerified: verified.userVerified,
        },
      },
    };
  });
}
