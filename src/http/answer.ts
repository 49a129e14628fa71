// The handler's own answers and requests, without the Fetch API's objects: the Node adapter
// serves careid's handler through these directly (no Web `Request` body stream, no
// `Response` built and read back), and any other runtime gets them as `Response`s.

/** An answer of the handler whose body is all in memory (every JSON answer). */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** What a route answers: an {@link Answer}, or a `Response` (a streamed CSV export). */
export type RouteAnswer = Answer | Response;

/** An answer as a Fetch API `Response`. */
export function toResponse(answer: RouteAnswer): Response {
  if (answer instanceof Response) return answer;
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** A request's body, however the runtime holds it. */
export interface BodySource {
  /** The Content-Type header, or `null`. */
  readonly contentType: string | null;
  /** The Content-Length header, or `null`. */
  readonly contentLength: string | null;
  /**
   * The body's bytes, refused with BODY_TOO_LARGE as soon as they pass `max` (the rest is
   * left unread).
   */
  bytes(max: number): Promise<Uint8Array>;
}

/** A request as the handler's core reads it. */
export interface Incoming {
  readonly method: string;
  /** The URL's path, as `new URL(…).pathname` gives it (not percent-decoded). */
  readonly path: string;
  readonly body: BodySource;
  /**
   * The request as a Fetch API `Request`, for the host's `authenticate` and `onError`
   * (built on first use by the Node adapter, without its body, which the handler reads).
   */
  request(): Request;
}

/** The core of a careid handler, which the Node adapter calls instead of the handler. */
export type HandlerCore = (incoming: Incoming) => Promise<RouteAnswer>;

/** Where a careid handler keeps its core (a property other handlers do not have). */
export const HANDLER_CORE: unique symbol = Symbol('careid.http.core');
