import { ValidationError } from '../errors/validation-error.js';
import {
  authenticationOptionsInputSchema,
  registrationOptionsInputSchema,
  verifyAuthenticationInputSchema,
  verifyRegistrationInputSchema,
} from '../ra/index.js';
import { jsonResponse } from './errors.js';
import type { Route, RouteContext } from './routes.js';

/** The body as a JSON object (an empty body is `{}` where `empty` allows it), or a refusal. */
async function objectBody(ctx: RouteContext, what: string): Promise<Record<string, unknown>> {
  const body = await ctx.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return ctx.refuse(new ValidationError(what, [{ field: '', message: 'must be a JSON object' }]));
  }
  return body as Record<string, unknown>;
}

const CEREMONY_ERRORS = ['WEBAUTHN_NOT_CONFIGURED', 'STORE_UNAVAILABLE'] as const;
const RESPONSE_ERRORS = [
  'WEBAUTHN_CHALLENGE_UNKNOWN',
  'WEBAUTHN_CHALLENGE_EXPIRED',
  'WEBAUTHN_CHALLENGE_USED',
  'WEBAUTHN_VERIFICATION_FAILED',
] as const;

/**
 * AUTH-03: the WebAuthn ceremonies over HTTP. Registration is an RA activity (an actor
 * registers on their own profile, or an RA agent on another's with the user present);
 * authentication is a sign-in, so its two routes are served without an actor.
 */
export const webauthnRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/webauthn/registration/options',
    activity: () => 'webauthn.registration-options',
    doc: {
      tag: 'webauthn',
      summary: 'Start registering a security key or Windows Hello (AUTH-01..03)',
      description:
        "The options for `navigator.credentials.create({ publicKey: options })`, with a single-use challenge that expires at `expiresAt`. Decided like `authenticator.register`: on the actor's own profile (no `user`) as self-service, on another's by an RA agent with `userPresent: true`. Audited.",
      body: registrationOptionsInputSchema,
      response: {
        description:
          'The creation options (WebAuthn `PublicKeyCredentialCreationOptionsJSON`) and when the challenge expires.',
        contentType: 'application/json',
        schema: 'WebAuthnOptions',
      },
      errors: ['POLICY_DENIED', 'NOT_FOUND', ...CEREMONY_ERRORS],
    },
    async run(ctx) {
      const body = await objectBody(ctx, 'WebAuthn registration options');
      return jsonResponse(await ctx.ra.webauthn.registrationOptions(ctx.actor, body as never));
    },
  },
  {
    method: 'POST',
    path: '/webauthn/registration/verify',
    activity: () => 'webauthn.register',
    doc: {
      tag: 'webauthn',
      summary: "Finish a registration: verify the browser's answer, then store it (AUTH-03)",
      description:
        'The body is `{ response }`, the JSON of the `PublicKeyCredential` that `navigator.credentials.create()` gave (`credential.toJSON()`). Only the actor who asked for the options may answer them. The authenticator record and its credential are stored only once the attestation verifies (challenge, origin, RP ID, user presence); a refused answer stores nothing and is audited.',
      body: verifyRegistrationInputSchema,
      response: {
        description:
          'The authenticator record and its credential (without the public key), what changed and the decision.',
        contentType: 'application/json',
        schema: 'WebAuthnRegistration',
      },
      errors: ['POLICY_DENIED', 'NOT_FOUND', 'DUPLICATE', ...RESPONSE_ERRORS, ...CEREMONY_ERRORS],
    },
    async run(ctx) {
      const body = await objectBody(ctx, 'WebAuthn registration');
      return jsonResponse(await ctx.ra.webauthn.verifyRegistration(ctx.actor, body as never));
    },
  },
  {
    method: 'POST',
    path: '/webauthn/authentication/options',
    activity: () => 'webauthn.authentication-options',
    public: true,
    doc: {
      tag: 'webauthn',
      summary: 'Start a sign-in with a security key, Windows Hello or a passkey (AUTH-03)',
      description:
        'Served without an actor. The options for `navigator.credentials.get({ publicKey: options })`: with `user`, that user’s credentials; with `{}`, any passkey the browser holds for the RP ID. Whether the user exists is not told.',
      body: authenticationOptionsInputSchema,
      response: {
        description:
          'The request options (WebAuthn `PublicKeyCredentialRequestOptionsJSON`) and when the challenge expires.',
        contentType: 'application/json',
        schema: 'WebAuthnOptions',
      },
      errors: [...CEREMONY_ERRORS],
    },
    async run(ctx) {
      const body = await objectBody(ctx, 'WebAuthn authentication options');
      return jsonResponse(await ctx.ra.webauthn.authenticationOptions(body as never));
    },
  },
  {
    method: 'POST',
    path: '/webauthn/authentication/verify',
    activity: () => 'webauthn.authenticate',
    public: true,
    doc: {
      tag: 'webauthn',
      summary: "Finish a sign-in: verify the browser's assertion and sign counter (AUTH-03)",
      description:
        'Served without an actor. The body is `{ response }`, the JSON of the `PublicKeyCredential` that `navigator.credentials.get()` gave. The credential must be in force (not removed, its profile open, PROF-01), the signature must verify and the sign counter go up (0 stays 0 for authenticators that keep none). Says who signed in; the host makes its own session from that. Audited, refusals too.',
      body: verifyAuthenticationInputSchema,
      response: {
        description:
          'Who signed in, with which authenticator and credential, and the stored counter.',
        contentType: 'application/json',
        schema: 'WebAuthnAuthentication',
      },
      errors: [
        ...RESPONSE_ERRORS,
        'WEBAUTHN_CREDENTIAL_UNKNOWN',
        'WEBAUTHN_COUNTER_REGRESSED',
        ...CEREMONY_ERRORS,
      ],
    },
    async run(ctx) {
      const body = await objectBody(ctx, 'WebAuthn authentication');
      return jsonResponse(await ctx.ra.webauthn.verifyAuthentication(body as never));
    },
  },
];
