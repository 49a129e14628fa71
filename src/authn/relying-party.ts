import { z } from 'zod';
import { parseWith } from '../errors/parse.js';

/** A host name that may be an RP ID: a domain (or `localhost`), never an IP address. */
const rpIdSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(?=.*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
    {
      message:
        "must be a lower-case domain such as 'ra.example.nhs.uk' or 'localhost' (no scheme, port or IP address)",
    },
  );

/** An origin: `https://host[:port]`, or `http://localhost[:port]` for development. */
const originSchema = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      const secure =
        url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
      return secure && url.origin === value;
    } catch {
      return false;
    }
  },
  {
    message:
      'must be an origin such as https://ra.example.nhs.uk (http only for localhost; no path or trailing slash)',
  },
);

/**
 * AUTH-03: the relying-party settings of the WebAuthn ceremonies, given by the host when it
 * creates the RA (`createRegistrationAuthority({ webauthn: { … } })`).
 */
export const relyingPartySchema = z
  .strictObject({
    /** The RP ID: the domain credentials are scoped to (WebAuthn §5.1.2), e.g. `ra.example.nhs.uk`. */
    rpId: rpIdSchema,
    /** The name the browser and authenticator show, e.g. `Dorset RA`. */
    rpName: z.string().trim().min(1).max(100),
    /** The origins the front end is served from; each must be the RP ID or below it. */
    origins: z.array(originSchema).min(1).max(20).readonly(),
    /** How long a challenge may be answered, in seconds (default 300; 30 to 3600). */
    challengeTtlSeconds: z.number().int().min(30).max(3600).default(300),
    /**
     * Whether the authenticator must verify the user (PIN, biometric): `required` refuses a
     * response without it (default `preferred`).
     */
    userVerification: z.enum(['required', 'preferred', 'discouraged']).default('preferred'),
  })
  .superRefine((rp, ctx) => {
    rp.origins.forEach((origin, i) => {
      const host = new URL(origin).hostname;
      if (host !== rp.rpId && !host.endsWith(`.${rp.rpId}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['origins', i],
          message: `${origin} is not within the RP ID ${rp.rpId}: the browser would refuse it (WebAuthn §5.1.2)`,
        });
      }
    });
  })
  .readonly();

/** The relying-party settings as the host gives them. */
export type RelyingPartyOptions = z.input<typeof relyingPartySchema>;
/** The relying-party settings, defaults applied. */
export type RelyingParty = z.output<typeof relyingPartySchema>;

/**
 * Validates relying-party settings and applies their defaults.
 *
 * @throws VALIDATION naming the field: an RP ID that is not a domain, an origin that is not
 * one or lies outside the RP ID, a time to live out of range.
 * @example
 * ```ts
 * const rp = toRelyingParty({ rpId: 'localhost', rpName: 'Test RA', origins: ['http://localhost:8080'] });
 * ```
 */
export function toRelyingParty(options: unknown): RelyingParty {
  return parseWith(relyingPartySchema, options, 'webauthn options');
}
