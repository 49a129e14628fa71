/**
 * careid/http: the registration authority over HTTP, as a Web-standard handler
 * `(request: Request) => Promise<Response>` for any Fetch-API runtime, with a small
 * adapter for Node's `http` server and the OpenAPI 3.1 document of what it serves.
 *
 * @packageDocumentation
 */

export { DEFAULT_MAX_BODY_BYTES } from './body.js';
export { HttpError, type HttpErrorCode, httpStatusOf } from './errors.js';
export {
  type Authenticate,
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from './handler.js';
export { type NodeListenerOptions, toNodeListener } from './node.js';
export { type OpenApiDocument, type OpenApiOptions, openApiDocument } from './openapi.js';
