import { AppError } from '../utils/errors.js';

/**
 * The counts of every node of a cluster, so the limits hold for the cluster as a whole. Local
 * counts alone decide while it cannot answer (Redis unreachable).
 */
export interface SharedConnectionCounts {
  /** Counts one more for both unless either is at its limit across the cluster; says which. */
  admit(
    userId: string,
    address: string,
    limits: { maxPerUser: number; maxPerAddress: number },
  ): Promise<'admitted' | 'user' | 'address'>;
  release(userId: string, address: string): void;
}

interface Slot {
  userId: string;
  address: string;
}

/**
 * How many connections each user and each client address hold. A new identity is cheap for a
 * guest, so the address limit is what bounds one person; the user limit bounds one leaked token.
 *
 * A slot belongs to a transport connection (an engine.io socket), whatever Socket.IO does on it:
 * counted from its first handshake, released when it closes, so a handshake refused later, one
 * that never reached `connection`, or a namespace reconnecting over the same transport can
 * neither leak a slot nor take two. Nothing per connection but the slot itself is kept.
 */
export class ConnectionLimits {
  readonly #perUser = new Map<string, number>();
  readonly #perAddress = new Map<string, number>();
  readonly #slots = new WeakMap<object, Slot>();
  readonly #limits: { maxPerUser: number; maxPerAddress: number };
  readonly #shared: SharedConnectionCounts | undefined;

  constructor(
    limits: { maxPerUser: number; maxPerAddress: number },
    shared?: SharedConnectionCounts,
  ) {
    this.#limits = limits;
    this.#shared = shared;
  }

  /**
   * Counts `transport` for the user and the address, or throws RATE_LIMITED when either holds as
   * many as allowed (on this node, or across the cluster). `true` when it was not counted yet:
   * the caller then arranges `release`.
   */
  async admit(transport: object, userId: string, address: string): Promise<boolean> {
    if (this.#slots.has(transport)) return false;
    // Taken before the cluster is asked, so a second handshake on this transport waits for none.
    const slot = { userId, address };
    this.#slots.set(transport, slot);
    try {
      this.#refuseOver((this.#perUser.get(userId) ?? 0) >= this.#limits.maxPerUser, 'user');
      this.#refuseOver(
        (this.#perAddress.get(address) ?? 0) >= this.#limits.maxPerAddress,
        'address',
      );
      if (this.#shared) {
        const verdict = await this.#shared.admit(userId, address, this.#limits).catch(
          // Without the cluster's counts, this node's own still hold.
          () => 'admitted' as const,
        );
        this.#refuseOver(verdict === 'user', 'user');
        this.#refuseOver(verdict === 'address', 'address');
      }
    } catch (error) {
      this.#slots.delete(transport);
      throw error;
    }
    this.#perUser.set(userId, (this.#perUser.get(userId) ?? 0) + 1);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    return true;
  }

  /** Frees the slot of a closed transport; harmless for one that holds none. */
  release(transport: object): void {
    const slot = this.#slots.get(transport);
    if (!slot) return;
    this.#slots.delete(transport);
    decrement(this.#perUser, slot.userId);
    decrement(this.#perAddress, slot.address);
    this.#shared?.release(slot.userId, slot.address);
  }

  /** This node's counts, for writing back into a cluster that lost them. */
  counts(): { perUser: ReadonlyMap<string, number>; perAddress: ReadonlyMap<string, number> } {
    return { perUser: this.#perUser, perAddress: this.#perAddress };
  }

  #refuseOver(over: boolean, which: 'user' | 'address'): void {
    if (!over) return;
    const limit = which === 'user' ? this.#limits.maxPerUser : this.#limits.maxPerAddress;
    throw new AppError(
      'RATE_LIMITED',
      which === 'user'
        ? `Too many connections for this user (at most ${limit}); close one first`
        : `Too many connections from this address (at most ${limit})`,
      { limit },
    );
  }
}

const decrement = (counts: Map<string, number>, key: string): void => {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
};
