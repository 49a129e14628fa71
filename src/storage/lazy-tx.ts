import type { StoreTx } from './ports.js';

/** How to build each repository of a transaction, called on first use. */
export type TxBuilders = { readonly [K in keyof StoreTx]: () => StoreTx[K] };

// Repositories are built on first use: most transactions touch one or two of the thirteen,
// and building all of them for every transaction fed the garbage collector for nothing.
class LazyTx implements StoreTx {
  private readonly made: Partial<{ -readonly [K in keyof StoreTx]: StoreTx[K] }> = {};

  constructor(private readonly build: TxBuilders) {}

  private get_<K extends keyof StoreTx>(key: K): StoreTx[K] {
    let repo = this.made[key];
    if (repo === undefined) {
      repo = this.build[key]();
      this.made[key] = repo;
    }
    return repo as StoreTx[K];
  }

  get users() {
    return this.get_('users');
  }
  get organisations() {
    return this.get_('organisations');
  }
  get positions() {
    return this.get_('positions');
  }
  get positionAssignments() {
    return this.get_('positionAssignments');
  }
  get workgroups() {
    return this.get_('workgroups');
  }
  get workgroupAssignments() {
    return this.get_('workgroupAssignments');
  }
  get smartcards() {
    return this.get_('smartcards');
  }
  get certificates() {
    return this.get_('certificates');
  }
  get authenticators() {
    return this.get_('authenticators');
  }
  get webAuthnCredentials() {
    return this.get_('webAuthnCredentials');
  }
  get webAuthnChallenges() {
    return this.get_('webAuthnChallenges');
  }
  get requests() {
    return this.get_('requests');
  }
  get authorities() {
    return this.get_('authorities');
  }
  get counters() {
    return this.get_('counters');
  }
  get audit() {
    return this.get_('audit');
  }
}

/**
 * A {@link StoreTx} whose repositories are built on first use and then kept.
 *
 * @example
 * ```ts
 * return lazyTx({ users: () => usersRepository(ctx), ... });
 * ```
 */
export function lazyTx(build: TxBuilders): StoreTx {
  return new LazyTx(build);
}
