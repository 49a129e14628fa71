import fc from 'fast-check';
import { CareIdError } from '../../src/errors/index.js';
import type { Store, StoreTx } from '../../src/storage/index.js';

/** Generated cases per public entry point (issue 13: at least 10,000 each; `FUZZ_CASES` lowers it while iterating). */
export const CASES_PER_ENTRY_POINT = Number(process.env['FUZZ_CASES'] ?? 10_000);

/**
 * Any JavaScript value a host might hand over (issue 13): null-prototype objects, sparse
 * and typed arrays, Maps and Sets, big integers, dates, boxed values, and huge strings.
 */
export const anything = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.anything({
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
      withMap: true,
      withSet: true,
      withBigInt: true,
      withDate: true,
      withBoxedValues: true,
      maxDepth: 2,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(1 << 20), 'é'.repeat(100_000)) },
);

/** A value of any kind, or one shaped like `base` with a field replaced by anything. */
export function near(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  return fc.oneof(
    anything,
    fc.tuple(fc.constantFrom(...keys), anything).map(([key, value]) => ({ ...base, [key]: value })),
    fc.dictionary(fc.constantFrom(...keys, 'type', '__proto__', 'constructor'), anything),
  );
}

/** What a call did: its error if it threw, the non-audit writes its committed transactions made, the audit records it appended. */
export interface CallTrace {
  readonly error: unknown;
  readonly writes: readonly string[];
  readonly appended: readonly unknown[];
}

const WRITES = new Set(['insert', 'update', 'put', 'next']);

/**
 * Wraps `store` so a test can see what each call committed: the writes of every committed
 * transaction other than audit appends, and the audit events appended.
 */
export function watchedStore(store: Store): {
  readonly store: Store;
  readonly trace: (call: () => Promise<unknown>) => Promise<CallTrace>;
} {
  let writes: string[] = [];
  let appended: unknown[] = [];
  const watchTx = (tx: StoreTx, pendingWrites: string[], pendingAudit: unknown[]): StoreTx =>
    new Proxy(tx, {
      get(target, name, receiver) {
        const repo = Reflect.get(target, name, receiver) as object;
        if (typeof name !== 'string' || typeof repo !== 'object' || repo === null) return repo;
        return new Proxy(repo, {
          get(r, method, rr) {
            const value = Reflect.get(r, method, rr) as unknown;
            if (typeof value !== 'function' || typeof method !== 'string') return value;
            return (...args: unknown[]) => {
              if (name === 'audit' && method === 'append') pendingAudit.push(args[0]);
              else if (WRITES.has(method)) pendingWrites.push(`${name}.${method}`);
              return (value as (...a: unknown[]) => unknown).apply(r, args);
            };
          },
        });
      },
    });
  const watched: Store = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (name === 'transaction') {
        return async <T>(fn: (tx: StoreTx) => Promise<T> | T) => {
          const pendingWrites: string[] = [];
          const pendingAudit: unknown[] = [];
          const result = await target.transaction((tx) =>
            fn(watchTx(tx, pendingWrites, pendingAudit)),
          );
          writes.push(...pendingWrites);
          appended.push(...pendingAudit);
          return result;
        };
      }
      if (name === 'bulkLoad') {
        return async (...args: unknown[]) => {
          writes.push('bulkLoad');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store: watched,
    async trace(call) {
      writes = [];
      appended = [];
      let error: unknown;
      try {
        await call();
      } catch (caught) {
        error = caught;
      }
      return { error, writes: [...writes], appended: [...appended] };
    },
  };
}

/** Longest audit event (as JSON) a refused or failed attempt may write: bounded details (issue 13). */
export const MAX_AUDIT_EVENT_CHARS = 4_096;

/**
 * The issue 13 contract for one call: it either succeeds or throws a CareIdError; a call
 * that threw committed no write but its audit records, and every audit record it wrote is
 * bounded however large the input.
 */
export function assertContract(entryPoint: string, trace: CallTrace): void {
  const { error } = trace;
  if (error !== undefined && !(error instanceof CareIdError)) {
    throw new Error(`${entryPoint} threw a foreign ${describe(error)}`, { cause: error });
  }
  if (error !== undefined && trace.writes.length > 0) {
    throw new Error(
      `${entryPoint} threw ${(error as CareIdError).code} yet committed ${trace.writes.join(', ')}`,
    );
  }
  for (const event of trace.appended) {
    const size = JSON.stringify(event).length;
    if (size > MAX_AUDIT_EVENT_CHARS) {
      throw new Error(`${entryPoint} audited an event of ${size} characters: details unbounded`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.slice(0, 200)}`;
  return typeof error;
}
