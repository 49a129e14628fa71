import { z } from 'zod';

// HMRC NIM39110: neither letter is D, F, I, Q, U or V; the second is not O; these pairs are never issued.
const INVALID_FIRST = new Set(['D', 'F', 'I', 'Q', 'U', 'V']);
const INVALID_SECOND = new Set(['D', 'F', 'I', 'O', 'Q', 'U', 'V']);
const INVALID_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
const SHAPE = /^([A-Z])([A-Z])(\d{6})([A-D])$/;

function niProblem(value: string): string | undefined {
  const m = SHAPE.exec(value);
  if (!m) return 'must be two letters, six digits and a final letter A-D, e.g. QQ 12 34 56 C';
  const [, first, second] = m as unknown as [string, string, string];
  if (INVALID_FIRST.has(first)) return `the first letter cannot be ${first}`;
  if (INVALID_SECOND.has(second)) return `the second letter cannot be ${second}`;
  if (INVALID_PREFIXES.has(first + second)) return `the prefix ${first}${second} is never issued`;
  return undefined;
}

/**
 * A National Insurance number in HMRC's format, normalised (spaces removed, upper case):
 * two prefix letters (the invalid ones refused), six digits, a suffix A-D.
 */
export const niNumberSchema = z
  .string()
  .transform((raw) => raw.replace(/\s+/g, '').toUpperCase())
  .superRefine((value, ctx) => {
    const problem = niProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `NI number ${problem}` });
  })
  .brand<'NiNumber'>();

/** A normalised National Insurance number. */
export type NiNumber = z.infer<typeof niNumberSchema>;
