import type { AuditEvent } from '../domain/index.js';
import { CareIdError } from '../errors/care-id-error.js';
import { ValidationError } from '../errors/validation-error.js';
import type { RegistrationAuthority } from '../ra/index.js';
import type { Store } from '../storage/index.js';
import {
  type Answer,
  HANDLER_CORE,
  type HandlerCore,
  type Incoming,
  type RouteAnswer,
  toResponse,
} from './answer.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  parseJsonText,
  readJsonBody,
  readJsonText,
  webBody,
} from './body.js';
import { errorResponse, HttpError } from './errors.js';
import { type OpenApiOptions, openApiDocument } from './openapi.js';
import type { Route, RouteContext } from './routes.js';
import { servedRoutes } from './served-routes.js';

/**
 * Finds the actor of a request: the host's own sign-in (a session cookie, a bearer
 * token, a client certificate). Returns the actor's UUID, or `null` when nobody is signed
 * in; careid never invents a login. What it throws is answered 500 and passed to `onError`.
 * It reads the request's URL and headers: under {@link toNodeListener} the `Request` it is
 * given carries no body (the handler reads the body itself, within `maxBodyBytes`).
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = async (req) => (await sessions.get(cookieOf(req)))?.uuid ?? null;
 * ```
 */
export type Authenticate = (
  request: Request,
) => string | null | undefined | Promise<string | null | undefined>;

/**
 * A Web-standard request handler: `(request) => Promise<Response>`. It answers every
 * failure (it never rejects).
 *
 * @example
 * ```ts
 * export default { fetch: handler }; // a Fetch-API runtime's entry point
 * ```
 */
export type HttpHandler = (request: Request) => Promise<Response>;

/** What {@link createHttpHandler} serves and how. */
export interface HttpHandlerOptions {
  /** The registration authority the requests run on. */
  readonly ra: RegistrationAuthority;
  /** The host's sign-in: the actor's UUID for a request, or `null` (answered with 401). */
  readonly authenticate: Authenticate;
  /**
   * The RA's store: a request refused before it reaches the RA (a body not JSON or too
   * large) by a signed-in actor is audited there (AUD-01). Nothing else is written to it.
   */
  readonly store: Pick<Store, 'transaction'>;
  /** The largest request body in bytes (default 1 MiB); a larger one is answered 413. */
  readonly maxBodyBytes?: number;
  /** Where the handler is mounted, e.g. `/ra` (default: the root). */
  readonly basePath?: string;
  /** The clock of audit records (default: the system clock). */
  readonly clock?: () => Date;
  /** The document's title and version (`/openapi.json`); its base path is `basePath`. */
  readonly openApi?: Omit<OpenApiOptions, 'basePath'>;
  /**
   * Told of every failure answered with a 5xx: one that is not a careid error (a bug, or
   * the host's `authenticate` throwing; the client gets a bare 500 that says nothing of
   * it), and a careid error such as `STORE_UNAVAILABLE`, for the host's logs and alerts.
   */
  readonly onError?: (error: unknown, request: Request) => void;
}

/** A route's path as a pattern: `{name}` is one path segment. */
interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
}

const compile = (route: Route): CompiledRoute => ({
  route,
  pattern: new RegExp(
    `^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z]+\}/gi, '([^/]+)')}$`,
  ),
});

/** The route and parameter for a method and path; a 404 or a 405 naming the allowed methods. */
function match(routes: readonly CompiledRoute[], method: string, path: string) {
  // Made only when a path matches with another method (a 405's Allow list).
  let allowed: Set<string> | undefined;
  for (const { route, pattern } of routes) {
    const found = pattern.exec(path);
    if (found === null) continue;
    if (route.method !== method) {
      allowed ??= new Set();
      allowed.add(route.method);
      continue;
    }
    let param = '';
    try {
      param = decodeURIComponent(found[1] ?? '');
    } catch {
      break;
    }
    return { route, param };
  }
  if (allowed !== undefined) {
    const allow = [...allowed];
    throw new HttpError(
      'METHOD_NOT_ALLOWED',
      `${method} is not served at ${path}; use ${allow.join(' or ')}.`,
      { allow },
    );
  }
  throw new HttpError('ROUTE_NOT_FOUND', `Nothing is served at ${method} ${path}.`);
}

const strip = (base: string) => base.replace(/\/+$/, '');

/**
 * Creates the RA's HTTP handler: a Web-standard `(request) => Promise<Response>` for any
 * Fetch-API runtime (mount it in Node's `http` with {@link toNodeListener}, or in Hono with
 * `app.all('/ra/*', (c) => handler(c.req.raw))` and `basePath: '/ra'`). It serves every
 * command (`POST /commands/{type}` with the command as JSON, through `ra.execute`), the
 * read queries (`POST /queries/{type}`), the reports (`GET /reports`, a page with
 * `POST /reports/{id}/view`, streamed CSV with `POST /reports/{id}/export`), what the actor
 * may do on a target (`POST /what-can`, through `ra.whatCan`), the decision a command would
 * get, without running it (`POST /check/{type}`, through `ra.check`), and its OpenAPI 3.1
 * document (`GET /openapi.json`), and the WebAuthn ceremonies (`POST /webauthn/…`, AUTH-03:
 * registration for the actor; the sign-in routes and the document are the only answers
 * given without an actor).
 *
 * Every error is JSON `{ name, code, message, … }` (see `CareIdError.toJSON`) with a fixed
 * status ({@link httpStatusOf}): 400 bad input, 401 no actor, 403 a policy denial with the
 * decision's reasons and what would grant it, 404, 409 a conflict, 413 a body too large,
 * 415 a body not JSON, 503 the store unreachable. A refused request writes nothing; an
 * authenticated actor's refusal is audited.
 *
 * @throws VALIDATION when `maxBodyBytes` is not a positive whole number (when called; a
 * request's failures are answered, never thrown).
 * @example
 * ```ts
 * const handler = createHttpHandler({ ra, store, authenticate: (req) => sessions.actorOf(req) });
 * createServer(toNodeListener(handler)).listen(8080);
 * ```
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { ra, authenticate, store } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new ValidationError('HTTP handler options', [
      { field: 'maxBodyBytes', message: 'must be a positive whole number of bytes' },
    ]);
  }
  const base = strip(options.basePath ?? '');
  const clock = options.clock ?? (() => new Date());
  const routes = servedRoutes.map(compile);
  // Routes served without an actor (the WebAuthn sign-in); none has a path parameter.
  const open = new Set(servedRoutes.filter((r) => r.public).map((r) => `${r.method} ${r.path}`));
  let document: Uint8Array | undefined;

  const audit = (event: AuditEvent) =>
    store.transaction((tx) => tx.audit.append(event)).then(() => undefined);

  async function serve(incoming: Incoming): Promise<RouteAnswer> {
    const { method, path: fullPath } = incoming;
    if (base !== '' && fullPath !== base && !fullPath.startsWith(`${base}/`)) {
      throw new HttpError('ROUTE_NOT_FOUND', `Nothing is served at ${fullPath}.`);
    }
    const path = fullPath.slice(base.length) || '/';
    if (path === '/openapi.json' && method === 'GET') {
      document ??= new TextEncoder().encode(
        JSON.stringify(openApiDocument({ ...options.openApi, basePath: base })),
      );
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: document,
      };
    }
    const signedIn = await authenticate(incoming.request());
    const actor = typeof signedIn === 'string' ? signedIn : '';
    if (actor === '' && !open.has(`${method} ${path}`)) {
      throw new HttpError('UNAUTHENTICATED', 'Sign in first: this request has no actor.');
    }
    const { route, param } = match(routes, method, path);
    const activity = route.activity(param).slice(0, 64) || 'http';
    const refuse = async (error: CareIdError): Promise<never> => {
      // Nobody to audit against on a route served without an actor.
      if (actor === '') throw error;
      await audit({
        at: clock().toISOString() as AuditEvent['at'],
        actor: actor.slice(0, 64),
        activity,
        target: '',
        outcome: 'failed',
        reasons: [{ rule: 'INPUT', code: error.code, message: error.message.slice(0, 500) }],
        details: { method, path: path.slice(0, 200) },
      });
      throw error;
    };
    /** `read`'s value; a careid error it throws is refused (audited) first. */
    const refusing = async <T>(read: () => T | Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        if (error instanceof CareIdError) return refuse(error);
        throw error;
      }
    };
    const ctx: RouteContext = {
      ra,
      actor,
      param,
      json: () => refusing(() => readJsonBody(incoming.body, maxBodyBytes)),
      jsonText: () => refusing(() => readJsonText(incoming.body, maxBodyBytes)),
      parse: (text) => refusing(() => parseJsonText(text)),
      refuse,
    };
    return route.run(ctx);
  }

  /** Every request's answer: a failure is answered too (5xx ones told to `onError`). */
  const core: HandlerCore = async (incoming) => {
    try {
      return await serve(incoming);
    } catch (error) {
      const allow = error instanceof HttpError ? error.allow : undefined;
      const answer: Answer = errorResponse(error, allow ? { allow: allow.join(', ') } : {});
      if (answer.status >= 500) options.onError?.(error, incoming.request());
      return answer;
    }
  };

  const handler: HttpHandler = async (request) =>
    toResponse(
      await core({
        method: request.method,
        path: new URL(request.url).pathname,
        body: webBody(request),
        request: () => request,
      }),
    );
  // The Node adapter finds the core here and serves it without Fetch API objects.
  return Object.assign(handler, { [HANDLER_CORE]: core });
}
