import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for tests: an ES256 key per credential, 'none'
 * attestation, authenticator data built per WebAuthn §6.1 and client data as a browser
 * writes it. Every field a relying party checks can be bent (origin, RP ID, type, flags,
 * counter, challenge) to produce the responses it must refuse.
 */

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** The flags byte (WebAuthn §6.1): UP, UV, BE, BS, AT. */
const FLAG = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;

/** A credential the soft authenticator holds. */
export interface SoftCredential {
  readonly id: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The user handle given at registration, base64url. */
  readonly userHandle: string;
  counter: number;
}

/** What a test may bend in a response. */
export interface Bend {
  readonly origin?: string;
  readonly rpId?: string;
  readonly type?: string;
  readonly challenge?: string;
  readonly userPresent?: boolean;
  readonly userVerified?: boolean;
  /** The sign counter to report (default: the credential's, plus one; 0 keeps none). */
  readonly counter?: number;
}

function authData(
  rpId: string,
  flags: number,
  counter: number,
  attested?: { id: Uint8Array; cose: Uint8Array },
): Uint8Array {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  const parts: Uint8Array[] = [sha256(rpId), Uint8Array.of(flags), count];
  if (attested !== undefined) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(attested.id.length);
    parts.push(Buffer.alloc(16), length, attested.id, attested.cose);
  }
  return Buffer.concat(parts);
}

/** The COSE_Key (RFC 9052) of an EC P-256 public key, alg ES256. */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(String(jwk.x), 'base64url')],
      [-3, Buffer.from(String(jwk.y), 'base64url')],
    ]),
  );
}

const clientData = (type: string, challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');

/** Options as careid's JSON gives them: the challenge and, for registration, the user. */
interface CreationOptions {
  readonly challenge: string;
  readonly rp: { readonly id?: string };
  readonly user: { readonly id: string };
}
interface RequestOptions {
  readonly challenge: string;
  readonly rpId?: string;
}

/** A software authenticator at `origin` (its RP ID is the origin's host unless bent). */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    readonly origin: string,
    readonly transports: readonly string[] = ['usb'],
  ) {}

  private get host() {
    return new URL(this.origin).hostname;
  }

  /** Answers registration options as `navigator.credentials.create()` would, as JSON. */
  create(options: CreationOptions, bend: Bend = {}) {
    // Made anew from DER: a KeyObject from generateKeyPairSync shares its lock with the
    // generation job, and Node 20 can deadlock exporting it while the GC destroys the job.
    const der = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    const privateKey = createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: der.publicKey, format: 'der', type: 'spki' });
    const id = randomBytes(32);
    const credential: SoftCredential = {
      id,
      privateKey,
      publicKey,
      userHandle: options.user.id,
      counter: bend.counter ?? 0,
    };
    this.credentials.push(credential);
    const flags =
      (bend.userPresent === false ? 0 : FLAG.up) |
      (bend.userVerified === false ? 0 : FLAG.uv) |
      FLAG.at;
    const data = authData(bend.rpId ?? options.rp.id ?? this.host, flags, credential.counter, {
      id,
      cose: coseKey(publicKey),
    });
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', data],
      ]) as never,
    );
    return {
      id: b64(id),
      rawId: b64(id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64(
          clientData(
            bend.type ?? 'webauthn.create',
            bend.challenge ?? options.challenge,
            bend.origin ?? this.origin,
          ),
        ),
        attestationObject: b64(attestationObject),
        transports: [...this.transports],
      },
      authenticatorAttachment: 'cross-platform' as const,
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /** Answers authentication options with `credential` (default: the last registered), as JSON. */
  get(options: RequestOptions, bend: Bend = {}, credential = this.credentials.at(-1)) {
    if (credential === undefined) throw new Error('the soft authenticator holds no credential');
    const counter = bend.counter ?? (credential.counter === 0 ? 0 : credential.counter + 1);
    credential.counter = counter;
    const flags =
      (bend.userPresent === false ? 0 : FLAG.up) | (bend.userVerified === false ? 0 : FLAG.uv);
    const data = authData(bend.rpId ?? options.rpId ?? this.host, flags, counter);
    const client = clientData(
      bend.type ?? 'webauthn.get',
      bend.challenge ?? options.challenge,
      bend.origin ?? this.origin,
    );
    const signature = sign('sha256', Buffer.concat([data, sha256(client)]), credential.privateKey);
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64(client),
        authenticatorData: b64(data),
        signature: b64(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'cross-platform' as const,
      clientExtensionResults: {},
    };
  }
}
