import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuthenticationResponse, isCareIdError, ValidationError } from 'careid';
import { createHttpHandler, HttpError, httpStatusOf } from 'careid/http';
import { cardJob, readCard, tryPasscode } from './card-routes.js';
import { people } from './people.js';
import type { DeskSetup } from './setup.js';

/** The development sign-in's cookie: whoever picks a name on the page is that person. */
const COOKIE = 'careid-desk-actor';
const UUID = /^\d{12}$/;

/** The actor of a request: the development sign-in's cookie. Never a real login. */
export function actorOf(request: Request): string | null {
  const cookies = request.headers.get('cookie') ?? '';
  const value = cookies
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([name]) => name === COOKIE)?.[1];
  return value !== undefined && UUID.test(value) ? value : null;
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

/** A careid error as JSON with its status; anything else a bare 500. */
function failure(error: unknown): Response {
  if (isCareIdError(error)) return json(error.toJSON(), httpStatusOf[error.code] ?? 500);
  console.error(error);
  return json({ code: 'INTERNAL', message: 'The desk failed unexpectedly.' }, 500);
}

async function body(request: Request): Promise<Record<string, unknown>> {
  const parsed = await request.json().catch(() => undefined);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('desk request', [{ field: '', message: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}

const text = (value: unknown, field: string) => {
  if (typeof value !== 'string') {
    throw new ValidationError('desk request', [{ field, message: 'is required' }]);
  }
  return value;
};

/**
 * The desk's Web-standard handler: careid/http under `/ra` (commands, queries, reports,
 * what-can, the actor, the WebAuthn ceremonies), and the desk's own routes: the page and
 * its script, the development sign-in and the sign-in with a security key, and the
 * virtual card in the reader (read, passcode, issue and
 * unlock with progress as Server-Sent Events).
 */
export function createDeskHandler(setup: DeskSetup, script: string) {
  const { ra, store, reader } = setup;
  const raHandler = createHttpHandler({ ra, store, authenticate: actorOf, basePath: '/ra' });
  const page = readFileSync(join(import.meta.dirname, 'page', 'index.html'), 'utf8');

  const signedIn = (request: Request) => {
    const actor = actorOf(request);
    if (actor === null) throw new HttpError('UNAUTHENTICATED', 'Sign in first.');
    return actor;
  };

  async function route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const method = request.method;
    if (pathname === '/ra' || pathname.startsWith('/ra/')) return raHandler(request);
    if (method === 'GET' && pathname === '/') {
      return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    if (method === 'GET' && pathname === '/desk.js') {
      return new Response(script, {
        headers: { 'content-type': 'text/javascript; charset=utf-8' },
      });
    }
    if (method === 'GET' && pathname === '/desk/people') {
      return json({ people, store: setup.storeName });
    }
    if (method === 'POST' && pathname === '/desk/sign-in') {
      const uuid = text((await body(request))['uuid'], 'uuid');
      const actor = await ra.actor(uuid); // NOT_FOUND for a UUID with no profile
      return json(actor, 200, {
        'set-cookie': `${COOKIE}=${actor.uuid}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (method === 'POST' && pathname === '/desk/sign-in/webauthn') {
      // AUTH-03: a security key's assertion (options from /ra/webauthn/authentication/options)
      // verified by careid, which names the user; the desk makes its session from that.
      // careid validates the response at its boundary (VALIDATION): the type is its word.
      const response = (await body(request))['response'] as AuthenticationResponse;
      const signed = await ra.webauthn.verifyAuthentication({ response });
      const actor = await ra.actor(signed.user);
      return json(actor, 200, {
        'set-cookie': `${COOKIE}=${actor.uuid}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (method === 'POST' && pathname === '/desk/sign-out') {
      return json({}, 200, { 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0` });
    }
    if (method === 'GET' && pathname === '/desk/reader') {
      signedIn(request);
      return json(await readCard(setup));
    }
    if (method === 'POST' && pathname === '/desk/reader/passcode') {
      signedIn(request);
      return json(await tryPasscode(setup, text((await body(request))['passcode'], 'passcode')));
    }
    if (method === 'POST' && pathname === '/desk/cards/issue') {
      const actor = signedIn(request);
      const input = await body(request);
      return cardJob(async (progress) => {
        const inReader = await readCard(setup);
        const known = await ra.queries.findCards(actor, { serial: inReader.serial ?? '' });
        if (known.items.length === 0) {
          progress('taking the blank card into stock');
          await ra.smartcards.stock(actor, {}, reader);
        }
        return ra.smartcards.issue(
          actor,
          {
            user: text(input['user'], 'user'),
            passcode: text(input['passcode'], 'passcode'),
            photo: Buffer.from('careid desk photo').toString('base64'),
            userPresent: input['userPresent'] === true,
          },
          reader,
          { progress },
        );
      });
    }
    if (method === 'POST' && pathname === '/desk/cards/unlock') {
      const actor = signedIn(request);
      const input = await body(request);
      return cardJob(async (progress) => {
        progress('reading the card and its passcode state');
        const result = ra.smartcards.unlock(
          actor,
          {
            newPasscode: text(input['newPasscode'], 'newPasscode'),
            userPresent: input['userPresent'] === true,
          },
          reader,
        );
        progress('unblocking the passcode with the PUK the RA keeps');
        return result;
      });
    }
    return json(
      { code: 'ROUTE_NOT_FOUND', message: `Nothing is served at ${method} ${pathname}.` },
      404,
    );
  }

  return async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (error) {
      return failure(error);
    }
  };
}
