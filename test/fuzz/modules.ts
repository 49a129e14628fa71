import fc from 'fast-check';
import { CareIdError } from '../../src/errors/index.js';
import { anything, CASES_PER_ENTRY_POINT } from './support.js';

/** Every function a module or object offers, by name (methods of classes included). */
export function functionsOf(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      // Module namespaces (as vitest loads them) export through getters; class getters are skipped.
      const value =
        descriptor?.get && o !== target ? undefined : (target as Record<string, unknown>)[name];
      if (typeof value === 'function' && !/^[A-Z]/.test(name)) names.add(name);
    }
  }
  return [...names].sort();
}

/** `target[name]` as a function to call with anything. */
export function member(target: object, name: string): (...args: unknown[]) => unknown {
  return (target as Record<string, (...args: unknown[]) => unknown>)[name]!;
}

/**
 * Issue 13: CASES_PER_ENTRY_POINT calls of `fn` with up to four arguments, each any
 * JavaScript value (or one of `likely`, a value shaped as the function expects at a
 * position, so the calls reach past the first check). Each call returns or throws a
 * CareIdError; anything else fails with the arguments that caused it.
 */
export async function fuzzFunction(
  name: string,
  fn: (...args: unknown[]) => unknown,
  self: unknown,
  likely: readonly fc.Arbitrary<unknown>[] = [],
): Promise<void> {
  const argument = (i: number) =>
    likely[i]
      ? fc.oneof({ weight: 2, arbitrary: likely[i]! }, { weight: 1, arbitrary: anything })
      : anything;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 4 }),
      argument(0),
      argument(1),
      argument(2),
      argument(3),
      async (count, ...all) => {
        try {
          await fn.apply(self, all.slice(0, Math.max(count, likely.length)));
        } catch (error) {
          if (!(error instanceof CareIdError)) {
            const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            throw new Error(`${name} threw a foreign ${text.slice(0, 300)}`, { cause: error });
          }
        }
      },
    ),
    { numRuns: CASES_PER_ENTRY_POINT },
  );
}
