import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createHttpHandler,
  type HttpHandlerOptions,
  toNodeListener,
} from '../../src/http/index.js';
import {
  createRegistrationAuthority,
  type RegistrationAuthorityOptions,
  seed,
} from '../../src/ra/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { AT, NOW, seedData } from '../ra/fixtures.js';

/**
 * The test host's sign-in: `Authorization: Bearer <uuid>` names the actor. A development
 * stand-in for the host's real sign-in, which careid never provides.
 */
export const bearerActor = (request: Request) =>
  /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;

/** A node:http server on 127.0.0.1, port chosen by the system, serving `handler`. */
export async function listen(
  listener: Parameters<typeof createServer>[1],
  host = '127.0.0.1',
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) =>
    server.listen(0, host === 'localhost' ? '127.0.0.1' : host, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** The RA over a seeded memory store, its handler mounted on a real server. */
export async function startRa(
  options: Partial<Omit<HttpHandlerOptions, 'ra' | 'store'>> & {
    store?: Store;
    /** AUTH-03: the RA's relying party (WebAuthn ceremonies). */
    webauthn?: RegistrationAuthorityOptions['webauthn'];
    /** Where to listen (default 127.0.0.1); `localhost` for a WebAuthn RP ID. */
    host?: string;
  } = {},
) {
  const { webauthn, host, ...handlerOptions } = options;
  const store = options.store ?? memoryStore();
  if (options.store === undefined) await seed(store, seedData, { at: AT, by: 'test-seed' });
  const ra = createRegistrationAuthority({
    store,
    clock: () => NOW,
    ...(webauthn !== undefined ? { webauthn } : {}),
  });
  const handler = createHttpHandler({
    authenticate: bearerActor,
    clock: () => NOW,
    ...handlerOptions,
    ra,
    store,
  });
  const served = await listen(toNodeListener(handler), host);
  const call = (path: string, init: RequestInit & { actor?: string; json?: unknown } = {}) => {
    const { actor, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (actor !== undefined) headers.set('authorization', `Bearer ${actor}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${served.url}${path}`, {
      ...rest,
      headers,
      ...(json !== undefined ? { method: 'POST', body: JSON.stringify(json) } : {}),
    });
  };
  const auditTrail = async () =>
    (await store.transaction((tx) => tx.audit.read({ limit: 1000 }))).items.map((r) => r.event);
  return { ...served, store, ra, handler, call, auditTrail };
}
