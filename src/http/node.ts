// The one file of careid/http that knows Node: it imports only Node's types, so loading
// careid/http on another runtime loads nothing of Node.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Answer,
  type BodySource,
  HANDLER_CORE,
  type HandlerCore,
  type RouteAnswer,
} from './answer.js';
import { concat, tooLarge } from './body.js';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The origin requests are taken to come to (`https://ra.example.nhs.uk`); default: from
   * the Host header, `https` when the socket is TLS.
   */
  readonly origin?: string;
}

/**
 * A request's body as a Web stream, read as the handler pulls. When the handler stops
 * reading (a body over its limit), the rest is read and dropped, so the answer reaches a
 * client that is still sending; the connection is then closed (see {@link send}).
 */
function bodyOf(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; drop: () => void } {
  let open = true;
  const drop = () => {
    open = false;
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Uint8Array) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (open) controller.close();
          open = false;
        });
        req.once('error', (error) => {
          if (open) controller.error(error);
          open = false;
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel: drop,
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return { stream, drop };
}

/** A Node `http` request as a Web `Request`, its body streamed as it arrives. */
function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal) {
  const headers = headersOf(req);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? bodyOf(req) : undefined;
  // `duplex` is required by fetch's Request for a streamed body; Node's types lag it.
  const init = { method, headers, body: body?.stream ?? null, signal, duplex: 'half' };
  return {
    request: new Request(new URL(req.url ?? '/', origin), init as RequestInit),
    /** Drops what is left of the body, once answered (an unread body would stall the socket). */
    drop: body?.drop ?? (() => undefined),
  };
}

/** Writes a Web `Response` to a Node response, following back-pressure and disconnects. */
async function send(response: Response, req: IncomingMessage, res: ServerResponse) {
  const headers: Record<string, string | string[]> = {};
  // A body the handler did not read to its end is being dropped: end this connection.
  if (!req.complete) headers['connection'] = 'close';
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (response.body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // A body of one chunk (every JSON answer) goes out in one write with its length, not
  // chunked in three: fewer packets, and no wait on the client's delayed ACK.
  const first = await reader.read();
  const second = first.done ? first : await reader.read();
  if (second.done) {
    const bytes = first.done ? new Uint8Array(0) : first.value;
    headers['content-length'] = String(bytes.byteLength);
    res.writeHead(response.status, headers);
    res.end(bytes);
    return;
  }
  res.writeHead(response.status, headers);
  res.write(first.value);
  res.write(second.value);
  const gone = () => void reader.cancel().catch(() => undefined);
  res.once('close', gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
      if (res.destroyed) return;
    }
    res.end();
  } catch (error) {
    // A stream that fails after the status line went out can only be cut short.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off('close', gone);
  }
}

/** The request's headers as sent, as name-value pairs (a repeated header stays repeated). */
function headerPairs(req: IncomingMessage): [string, string][] {
  const raw = req.rawHeaders;
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/** The request's headers as a Fetch API `Headers`. */
function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    for (const v of value ?? []) headers.append(name, v);
  }
  return headers;
}

/**
 * The body of a Node request, read straight from it (no Web stream): refused as soon as
 * it passes `max`, the rest left unread (and dropped once answered, see {@link serveCore}).
 */
function nodeBody(req: IncomingMessage): BodySource {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : null;
  };
  return {
    contentType: header('content-type'),
    contentLength: header('content-length'),
    bytes: (max) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        const done = () => {
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onError);
          req.off('close', onClose);
        };
        const onData = (chunk: Uint8Array) => {
          size += chunk.byteLength;
          if (size > max) {
            done();
            req.pause();
            reject(tooLarge(max));
          } else chunks.push(chunk);
        };
        const onEnd = () => {
          done();
          resolve(chunks.length === 1 ? chunks[0]! : concat(chunks, size));
        };
        const onError = (error: unknown) => {
          done();
          reject(error);
        };
        const onClose = () => {
          done();
          reject(new Error('the client closed the connection before sending the whole body'));
        };
        if (req.readableEnded) {
          resolve(new Uint8Array(0));
          return;
        }
        req.on('data', onData);
        req.once('end', onEnd);
        req.once('error', onError);
        req.once('close', onClose);
      }),
  };
}

/**
 * The request as the host's `authenticate` reads it: a `Request` (its prototype's, so
 * `instanceof Request` holds) whose method, URL and headers are given without building one;
 * reading anything else builds the real `Request` (without its body, which the handler
 * reads) and answers from it. Building one per request cost 5.7 µs and an AbortSignal for
 * the garbage collector, where the headers alone cost 1.6 µs (bench/http's sign-in reads
 * one header).
 */
function lazyRequest(url: URL, method: string, req: IncomingMessage): Request {
  let real: Request | undefined;
  let headers: Headers | undefined;
  const materialised = () => {
    real ??= new Request(url.href, { method, headers: headerPairs(req) });
    return real;
  };
  return new Proxy(Object.create(Request.prototype) as Request, {
    get(_, property) {
      if (property === 'method') return method;
      if (property === 'url') return url.href;
      if (property === 'headers') {
        headers ??= new Headers(headerPairs(req));
        return headers;
      }
      const request = materialised();
      const value: unknown = Reflect.get(request, property, request);
      return typeof value === 'function' ? value.bind(request) : value;
    },
  });
}

/** Writes an in-memory answer in one write, with its length. */
function sendAnswer(answer: Answer, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = {
    ...answer.headers,
    'content-length': String(answer.body.byteLength),
  };
  // A body the handler did not read to its end is being dropped: end this connection.
  if (!req.complete) headers['connection'] = 'close';
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/**
 * Serves a careid handler's core: its JSON answers are written as they are, its body read
 * from the Node request; only the host's `authenticate` sees a Fetch API `Request` (its
 * headers, no body). Measured (bench/http) ~0.1 to 0.3 ms less per request than building
 * and reading the Web objects.
 */
async function serveCore(
  core: HandlerCore,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  const method = req.method ?? 'GET';
  let request: Request | undefined;
  const answer: RouteAnswer = await core({
    method,
    path: url.pathname,
    body: nodeBody(req),
    // Headers only, and no abort signal: following one costs ~0.1 ms a request, and the
    // handler's streamed answers stop through the response stream when the client goes.
    request: () => {
      request ??= lazyRequest(url, method, req);
      return request;
    },
  });
  if (answer instanceof Response) await send(answer, req, res);
  else sendAnswer(answer, req, res);
  // What is left of a body the handler did not read (an unread body would stall the socket).
  if (!req.complete) req.resume();
}

/**
 * Mounts a careid HTTP handler (or any Fetch-API handler, a Hono app's `fetch` too) in
 * Node's `http` (or `https`) server: turns each request
 * into a Web `Request` (body streamed, aborted when the client goes away) and writes the
 * `Response` back with back-pressure, so a streamed CSV export is read from the store only
 * as fast as the client takes it. Written here rather than taken from a library: the
 * bridge is this one file, and the usual one (`@hono/node-server`) brings Hono with it.
 *
 * @throws never: failures are answered by the handler; a response stream that fails
 * mid-way ends the connection.
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(createHttpHandler({ ra, store, authenticate }))).listen(8080);
 * ```
 */
export function toNodeListener(
  handler: (request: Request) => Response | Promise<Response>,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    const origin =
      options.origin ?? `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
    const core = (handler as { [HANDLER_CORE]?: HandlerCore })[HANDLER_CORE];
    if (core !== undefined) {
      // careid's own handler never throws: failures are answers.
      serveCore(core, req, res, origin).catch(() => res.destroy());
      return;
    }
    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    void (async () => {
      const { request, drop } = toRequest(req, origin, aborted.signal);
      let response: Response;
      try {
        response = await handler(request);
      } catch {
        // A handler from createHttpHandler never throws; another one may.
        response = new Response('{"code":"INTERNAL","message":"The server failed to answer."}', {
          status: 500,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        });
      }
      await send(response, req, res);
      drop();
    })().catch(() => {
      // Writing failed (the client went away mid-answer): nothing is left to tell it.
      res.destroy();
    });
  };
}
