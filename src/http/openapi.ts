import { z } from 'zod';
import type { CareIdErrorCode } from '../errors/codes.js';
import { httpStatusOf } from './errors.js';
import type { Route, RouteDoc } from './routes.js';
import { servedRoutes } from './served-routes.js';
import { wireSchemas } from './wire.js';

/** The title and version the OpenAPI document gives. */
export interface OpenApiOptions {
  /** Default: `careid registration authority`. */
  readonly title?: string;
  /** The API's version (default `1`). */
  readonly version?: string;
  /** Where the handler is mounted, e.g. `/ra` (default: the root). */
  readonly basePath?: string;
}

/** An OpenAPI 3.1 document, as plain JSON. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
  readonly [field: string]: unknown;
}

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema's input side as JSON Schema 2020-12 (OpenAPI 3.1's dialect). `readOnly`
 * (from zod's `.readonly()`, which makes a value immutable in TypeScript) is dropped: in
 * OpenAPI it would mean "never sent in a request".
 */
function inputSchema(schema: z.ZodType, optional: readonly string[] = []): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    override: (ctx) => {
      delete (ctx.jsonSchema as JsonSchema)['readOnly'];
    },
  }) as JsonSchema;
  if (Array.isArray(json['required'])) {
    json['required'] = (json['required'] as string[]).filter((f) => !optional.includes(f));
  }
  return json;
}

function outputSchema(schema: z.core.$ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema) as JsonSchema;
  return json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The codes every route may answer with, besides its own. */
const everyRoute: readonly CareIdErrorCode[] = ['VALIDATION', 'UNAUTHENTICATED', 'INTERNAL'];
const withBody: readonly CareIdErrorCode[] = ['BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** The error answers of a route, one per status, naming the codes each may carry. */
function errorResponses(codes: readonly CareIdErrorCode[]) {
  const byStatus = new Map<number, CareIdErrorCode[]>();
  for (const code of codes) {
    const status = httpStatusOf[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schema = status === 403 ? 'PolicyDenied' : status === 400 ? 'ValidationError' : 'Error';
    out[String(status)] = {
      description: `Refused: ${list.join(', ')}. Nothing was written.`,
      content: { 'application/json': { schema: ref(schema) } },
    };
  }
  return out;
}

function operation(
  route: Route,
  doc: RouteDoc,
  operationId: string,
  summary: string,
  body: z.ZodType | undefined,
) {
  const codes = [
    ...everyRoute.filter((code) => !(route.public && code === 'UNAUTHENTICATED')),
    ...(body ? withBody : []),
    ...doc.errors,
  ];
  const content =
    doc.response.contentType === 'text/csv'
      ? { 'text/csv': { schema: { type: 'string' } } }
      : {
          'application/json': {
            schema: doc.response.schema ? ref(doc.response.schema) : {},
          },
        };
  return {
    operationId,
    tags: [doc.tag],
    // Served without an actor: no sign-in is needed (OpenAPI's empty requirement).
    ...(route.public ? { security: [] } : {}),
    summary,
    description: doc.description,
    ...(doc.query
      ? {
          parameters: doc.query.map((q) => ({
            name: q.name,
            in: 'query',
            description: q.description,
            schema: { type: 'string' },
          })),
        }
      : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: inputSchema(body, route.path.includes('{type}') ? ['type'] : []),
              },
            },
          },
        }
      : {}),
    responses: {
      '200': { description: doc.response.description, content },
      ...errorResponses([...new Set(codes)]),
    },
  };
}

const idOf = (route: Route, value?: string) =>
  `${route.method.toLowerCase()} ${route.path.replace(/\{[a-z]+\}/i, value ?? '')}`;

/**
 * The OpenAPI 3.1 document of the HTTP handler, generated from the same zod schemas the RA
 * parses with (their input side): one operation per command, per query and per report, the
 * error answers by status with the codes each carries, the error and decision shapes.
 * The handler serves it at `GET /openapi.json`.
 *
 * @throws never: the schemas are fixed when careid is built.
 * @example
 * ```ts
 * writeFileSync('openapi.json', JSON.stringify(openApiDocument({ basePath: '/ra' }), null, 2));
 * ```
 */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of servedRoutes) {
    const method = route.method.toLowerCase();
    const variants = route.doc.variants?.();
    if (variants === undefined) {
      paths[route.path] = {
        ...paths[route.path],
        [method]: operation(route, route.doc, idOf(route), route.doc.summary, route.doc.body),
      };
      continue;
    }
    const param = /\{([a-z]+)\}/i.exec(route.path)?.[0] ?? '';
    for (const variant of variants) {
      const path = route.path.replace(param, variant.value);
      paths[path] = {
        ...paths[path],
        [method]: operation(
          route,
          route.doc,
          idOf(route, variant.value),
          variant.summary,
          variant.body,
        ),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'careid registration authority',
      version: options.version ?? '1',
      description:
        "The registration authority over HTTP. Every request but this document and the WebAuthn sign-in (`/webauthn/authentication/…`) needs an actor, found by the host's own sign-in; a request without one is answered 401. Errors are JSON `{ name, code, message, … }` with a fixed status per code.",
    },
    ...(options.basePath ? { servers: [{ url: options.basePath }] } : {}),
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(wireSchemas).map(([name, schema]) => [name, outputSchema(schema)]),
      ),
    },
  };
}
