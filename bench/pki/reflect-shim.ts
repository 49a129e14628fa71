/**
 * @peculiar/x509 loads tsyringe, which refuses to start without a Reflect metadata
 * polyfill (reflect-metadata is not installed). This is the least of one it needs, for the
 * bench baseline only; careid itself never uses it.
 */
type Target = object;
const store = new WeakMap<Target, Map<string | symbol | undefined, Map<unknown, unknown>>>();

function table(target: Target, key: string | symbol | undefined): Map<unknown, unknown> {
  let byKey = store.get(target);
  if (byKey === undefined) {
    byKey = new Map();
    store.set(target, byKey);
  }
  let t = byKey.get(key);
  if (t === undefined) {
    t = new Map();
    byKey.set(key, t);
  }
  return t;
}

const shim = {
  defineMetadata(k: unknown, v: unknown, target: Target, key?: string | symbol): void {
    table(target, key).set(k, v);
  },
  getOwnMetadata(k: unknown, target: Target, key?: string | symbol): unknown {
    return store.get(target)?.get(key)?.get(k);
  },
  getMetadata(k: unknown, target: Target, key?: string | symbol): unknown {
    for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const v = store.get(t)?.get(key)?.get(k);
      if (v !== undefined) return v;
    }
    return undefined;
  },
  hasMetadata(k: unknown, target: Target, key?: string | symbol): boolean {
    return shim.getMetadata(k, target, key) !== undefined;
  },
  metadata(k: unknown, v: unknown) {
    return (target: Target, key?: string | symbol) => shim.defineMetadata(k, v, target, key);
  },
};

const r = Reflect as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(shim)) if (r[name] === undefined) r[name] = fn;
