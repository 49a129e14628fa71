/**
 * A first-in first-out async mutex: `run` calls wait for the ones before them, so async
 * transactions never interleave.
 *
 * @example
 * ```ts
 * const mutex = new Mutex();
 * await mutex.run(async () => { ... });
 * ```
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier `run` has settled; settles as `fn` does. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
