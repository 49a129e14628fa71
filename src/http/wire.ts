import { z } from 'zod';
import type { CareIdErrorCode } from '../errors/codes.js';
import { actorSchema, raRoles } from '../policy/index.js';
import { httpStatusOf } from './errors.js';

// The shapes the handler answers with, as zod schemas so the OpenAPI document is generated
// the same way as the request bodies. They describe JSON the RA already makes (a Decision,
// a CareIdError's toJSON); they validate nothing at run time.

const codes = Object.keys(httpStatusOf) as [CareIdErrorCode, ...CareIdErrorCode[]];

const reasonSchema = z.looseObject({
  rule: z.string().describe('The rule ID that decided, e.g. SOD-02.'),
  code: z.string().describe('A stable reason code, e.g. NO_ROLE.'),
  effect: z.enum(['permit', 'forbid', 'deny']),
  message: z.string().describe('A sentence a person can act on.'),
  role: z.enum(raRoles).optional(),
  organisation: z.string().optional(),
});

const routeSchema = z.enum(['direct', 'via-request']);

/** A policy decision as JSON. */
export const decisionWire = z
  .looseObject({
    allowed: z.boolean(),
    activity: z.string(),
    route: routeSchema.nullable(),
    reasons: z.array(reasonSchema),
    wouldGrant: z
      .array(
        z.looseObject({
          role: z.enum(raRoles),
          organisation: z.string().optional(),
          route: routeSchema,
        }),
      )
      .describe('When denied for want of a role: the roles that would grant it, and where.'),
  })
  .describe('A policy decision: allowed or not, by which route, every rule that decided.');

/** Any error as JSON (`CareIdError.toJSON`). */
export const errorWire = z
  .looseObject({
    name: z.string(),
    code: z.enum(codes),
    message: z.string().describe('What went wrong and what would be right.'),
  })
  .describe('An error: a stable code, a message, and the fields its kind adds.');

/** A validation error as JSON. */
export const validationErrorWire = errorWire.extend({
  field: z.string().describe('The first offending field, dotted; empty for the whole body.'),
  issues: z.array(z.looseObject({ field: z.string(), message: z.string() })),
});

/** A policy denial as JSON: the decision's reasons and what would grant. */
export const policyDeniedWire = errorWire.extend({
  decision: decisionWire,
  rules: z.array(z.string()).describe('The rule IDs that refused, in order.'),
});

/** A command's result. */
export const commandResultWire = z.looseObject({
  type: z.string(),
  changed: z.array(
    z.looseObject({
      kind: z.string(),
      key: z.string(),
      op: z.enum(['insert', 'update']),
      version: z.number().int(),
    }),
  ),
  decision: decisionWire,
});

/** One page of a list. */
export const resultPageWire = z.looseObject({
  items: z.array(z.unknown()),
  nextCursor: z
    .string()
    .optional()
    .describe("Pass as the next page's `cursor`; absent on the last page."),
});

/** One page of a report. */
export const reportPageWire = z.looseObject({
  report: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  nextCursor: z.string().optional(),
});

/** What an actor may do: each allowed activity with its route and decision. */
export const capabilitiesWire = z.array(
  z.looseObject({ activity: z.string(), route: routeSchema, decision: decisionWire }),
);

/** AUTH-03: the options of a WebAuthn ceremony and until when its challenge is answered. */
export const webauthnOptionsWire = z.looseObject({
  options: z
    .looseObject({ challenge: z.string() })
    .describe(
      'WebAuthn PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON: pass to PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON.',
    ),
  expiresAt: z.string().describe('After this instant the challenge is refused.'),
});

/** AUTH-03: a verified registration. */
export const webauthnRegistrationWire = commandResultWire.extend({
  type: z.literal('webauthn.register'),
  authenticator: z.looseObject({
    id: z.string(),
    user: z.string(),
    kind: z.string(),
    label: z.string(),
  }),
  credential: z
    .looseObject({
      id: z.string(),
      user: z.string(),
      authenticator: z.string(),
      counter: z.number().int(),
      transports: z.array(z.string()),
    })
    .describe('The stored credential, without its public key.'),
});

/** AUTH-03: a verified sign-in. */
export const webauthnAuthenticationWire = z.looseObject({
  type: z.literal('webauthn.authenticate'),
  user: z.string().describe('Who signed in (their UUID).'),
  authenticator: z.string(),
  kind: z.string(),
  credential: z.string(),
  counter: z.number().int(),
  userVerified: z.boolean(),
});

/** The component schemas of the document, by name. */
export const wireSchemas = {
  Error: errorWire,
  ValidationError: validationErrorWire,
  PolicyDenied: policyDeniedWire,
  Decision: decisionWire,
  CommandResult: commandResultWire,
  ResultPage: resultPageWire,
  ReportPage: reportPageWire,
  Capabilities: capabilitiesWire,
  Actor: actorSchema,
  WebAuthnOptions: webauthnOptionsWire,
  WebAuthnRegistration: webauthnRegistrationWire,
  WebAuthnAuthentication: webauthnAuthenticationWire,
} as const;
