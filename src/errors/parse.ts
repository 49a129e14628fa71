import type { z } from 'zod';
import { ValidationError } from './validation-error.js';

/**
 * Parses `input` with `schema` at a public boundary; a failure is a ValidationError
 * naming the field, never a bare ZodError.
 *
 * @throws VALIDATION when the input does not match.
 * @example
 * ```ts
 * const pack = parseWith(rulePackSchema, raw, 'rule pack');
 * ```
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(what, result.error);
  return result.data;
}
