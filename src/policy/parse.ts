import type { ZodError } from 'zod';
import type * as z from 'zod/mini';
import { ValidationError } from '../errors/validation-error.js';

/**
 * Parses `input` with a policy schema (`zod/mini`) at a public boundary; a failure is a
 * ValidationError naming the field, never a bare ZodError (as `parseWith` does for the
 * classic schemas).
 */
export function parseInput<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(what, result.error as unknown as ZodError);
  return result.data;
}

/**
 * Parses `input` as the field `field` of a larger input: the error names `field.…`.
 *
 * @throws VALIDATION when the input does not match.
 */
export function parseField<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  what: string,
  field: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw ValidationError.fromZod(what, result.error as unknown as ZodError).within(field, what);
}
