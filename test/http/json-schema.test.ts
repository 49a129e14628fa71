import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as domain from '../../src/domain/index.js';
import { commandSchema, querySchema, requestListQuerySchema } from '../../src/ra/index.js';

const schemasOf = (module: Record<string, unknown>) =>
  Object.entries(module).filter(
    (entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType,
  );

describe('JSON Schema of the wire schemas (input side, as the OpenAPI document takes them)', () => {
  it('every command and query schema converts with io: input', () => {
    for (const schema of [commandSchema, querySchema, requestListQuerySchema]) {
      expect(() => z.toJSONSchema(schema, { io: 'input' })).not.toThrow();
    }
  });

  it('every value and record schema of the domain converts with io: input', () => {
    const schemas = schemasOf(domain);
    expect(schemas.length).toBeGreaterThan(20);
    for (const [name, schema] of schemas) {
      expect(() => z.toJSONSchema(schema, { io: 'input' }), name).not.toThrow();
    }
  });
});
