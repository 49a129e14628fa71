// WebAuthn's JSON (what careid/http sends and takes) to and from the browser's ArrayBuffers.
// Written out rather than PublicKeyCredential.parseCreationOptionsFromJSON and toJSON(),
// which older browsers (Firefox before 119, Safari before 18.4) lack.

/** Base64url (no padding) to bytes. */
export function bytesOf(base64url: string): ArrayBuffer {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Bytes to base64url (no padding). */
export function base64urlOf(buffer: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptor = (d: PublicKeyCredentialDescriptorJSON): PublicKeyCredentialDescriptor => ({
  id: bytesOf(d.id),
  type: d.type as PublicKeyCredentialType,
  ...(d.transports ? { transports: d.transports as AuthenticatorTransport[] } : {}),
});

/** The options of `navigator.credentials.create()` from careid's registration options. */
export function creationOptionsOf(
  json: PublicKeyCredentialCreationOptionsJSON,
): PublicKeyCredentialCreationOptions {
  const { challenge, user, excludeCredentials, extensions, hints: _hints, ...rest } = json;
  return {
    ...rest,
    attestation: json.attestation as AttestationConveyancePreference | undefined,
    challenge: bytesOf(challenge),
    user: { ...user, id: bytesOf(user.id) },
    excludeCredentials: (excludeCredentials ?? []).map(descriptor),
    // careid asks for credProps only (a boolean, the same in both forms): it says whether
    // the key keeps the credential discoverable (a passkey).
    ...(extensions?.credProps === undefined
      ? {}
      : { extensions: { credProps: extensions.credProps } }),
  } as PublicKeyCredentialCreationOptions;
}

/** The options of `navigator.credentials.get()` from careid's authentication options. */
export function requestOptionsOf(
  json: PublicKeyCredentialRequestOptionsJSON,
): PublicKeyCredentialRequestOptions {
  const { challenge, allowCredentials, extensions: _extensions, hints: _hints, ...rest } = json;
  return {
    ...rest,
    userVerification: json.userVerification as UserVerificationRequirement | undefined,
    challenge: bytesOf(challenge),
    allowCredentials: (allowCredentials ?? []).map(descriptor),
  } as PublicKeyCredentialRequestOptions;
}

/** What `navigator.credentials.create()` made, as the JSON careid's verify route takes. */
export function registrationJsonOf(credential: PublicKeyCredential) {
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: base64urlOf(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64urlOf(response.clientDataJSON),
      attestationObject: base64urlOf(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
    ...(credential.authenticatorAttachment
      ? { authenticatorAttachment: credential.authenticatorAttachment }
      : {}),
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

/** What `navigator.credentials.get()` signed, as the JSON careid's verify route takes. */
export function authenticationJsonOf(credential: PublicKeyCredential) {
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: base64urlOf(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64urlOf(response.clientDataJSON),
      authenticatorData: base64urlOf(response.authenticatorData),
      signature: base64urlOf(response.signature),
      ...(response.userHandle ? { userHandle: base64urlOf(response.userHandle) } : {}),
    },
    ...(credential.authenticatorAttachment
      ? { authenticatorAttachment: credential.authenticatorAttachment }
      : {}),
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}
