import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../src/http/index.js';
import { commandSchema, querySchema, reportIds } from '../../src/ra/index.js';
import { applicant, people } from '../ra/fixtures.js';
import { startRa } from './server.js';

type Served = Awaited<ReturnType<typeof startRa>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

type Operation = {
  operationId: string;
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, unknown>;
};
const typesOf = (union: { options: readonly z.ZodType[] }) =>
  union.options.map(
    (o) =>
      (z.toJSONSchema(o, { io: 'input' }) as unknown as { properties: { type: { const: string } } })
        .properties.type.const,
  );

describe('careid/http OpenAPI 3.1 document', () => {
  it('is served at /openapi.json without an actor and passes a standard OpenAPI 3.1 validator', async () => {
    served = await startRa({ basePath: '/ra' });
    const res = await fetch(`${served.url}/ra/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as ReturnType<typeof openApiDocument>;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc['servers']).toEqual([{ url: '/ra' }]);
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has one operation per command, query and report, each with its own body and error answers by status', () => {
    const doc = openApiDocument();
    const post = (path: string) => (doc.paths[path] as { post?: Operation } | undefined)?.post;
    for (const type of typesOf(commandSchema)) {
      const op = post(`/commands/${type}`);
      expect(op?.operationId, type).toBe(`post /commands/${type}`);
      expect(Object.keys(op?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401', '403', '404', '409', '413', '415', '503']),
      );
      expect(post(`/check/${type}`)?.requestBody, type).toBeDefined();
    }
    expect(post('/what-can')?.requestBody).toBeDefined();
    for (const type of [...typesOf(querySchema), 'request.list']) {
      expect(post(`/queries/${type}`)?.requestBody, type).toBeDefined();
    }
    for (const id of reportIds) {
      expect(post(`/reports/${id}/view`)).toBeDefined();
      expect(post(`/reports/${id}/export`)).toBeDefined();
    }
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p) as Operation[]);
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    const denial = post('/commands/user.create')?.responses['403'] as {
      content: { 'application/json': { schema: { $ref: string } } };
    };
    expect(denial.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/PolicyDenied',
    );
  });

  it('the body schemas never refuse a command the RA accepts (random edits of valid commands, both judges)', () => {
    const doc = openApiDocument();
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    addFormats.default(ajv);
    const judge = (type: string) => {
      const op = (doc.paths[`/commands/${type}`] as { post: Operation }).post;
      return ajv.compile(op.requestBody!.content['application/json'].schema);
    };
    const examples: Record<string, unknown>[] = [
      { type: 'user.create', ...applicant },
      { type: 'user.close', user: people.trainee, reason: 'left the NHS' },
      {
        type: 'assignment.assign',
        user: people.trainee,
        position: 'pos-dispenser',
        start: '2026-12-01',
      },
      { type: 'user.change-own-contact', email: 'a.rivers@nhs.net' },
      {
        type: 'batch.assignments',
        action: 'assign',
        position: 'pos-dispenser',
        uuids: [people.trainee],
        start: '2026-12-01',
      },
    ];
    for (const example of examples) {
      expect(commandSchema.safeParse(example).success, String(example['type'])).toBe(true);
      expect(judge(String(example['type']))(example), String(example['type'])).toBe(true);
    }
    const edit = fc.oneof(
      fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.jsonValue() }),
      fc.record({ op: fc.constant('add' as const), key: fc.string(), value: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(edit, { maxLength: 3 }),
        (example, edits) => {
          const command: Record<string, unknown> = structuredClone(example);
          for (const e of edits) {
            const keys = Object.keys(command).filter((k) => k !== 'type');
            if (e.op === 'add') command[e.key === 'type' ? 'extra' : e.key] = e.value;
            else if (keys.length > 0) {
              const key = keys[e.at % keys.length]!;
              if (e.op === 'delete') delete command[key];
              else command[key] = e.value;
            }
          }
          const ra = commandSchema.safeParse(command).success;
          const documented = judge(String(command['type']))(command);
          // The RA may refuse more (checks JSON Schema cannot say), never less.
          return !ra || documented;
        },
      ),
      { numRuns: 300 },
    );
  });
});
