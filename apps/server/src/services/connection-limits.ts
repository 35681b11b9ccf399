import { AppError } from '../utils/errors.js';

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
  readonly #maxPerUser: number;
  readonly #maxPerAddress: number;

  constructor(limits: { maxPerUser: number; maxPerAddress: number }) {
    this.#maxPerUser = limits.maxPerUser;
    this.#maxPerAddress = limits.maxPerAddress;
  }

  /**
   * Counts `transport` for the user and the address, or throws RATE_LIMITED when either holds as
   * many as allowed. `true` when it was not counted yet: the caller then arranges `release`.
   */
  admit(transport: object, userId: string, address: string): boolean {
    if (this.#slots.has(transport)) return false;
    const byUser = this.#perUser.get(userId) ?? 0;
    if (byUser >= this.#maxPerUser) {
      throw new AppError(
        'RATE_LIMITED',
        `Too many connections for this user (at most ${this.#maxPerUser}); close one first`,
        { limit: this.#maxPerUser },
      );
    }
    const byAddress = this.#perAddress.get(address) ?? 0;
    if (byAddress >= this.#maxPerAddress) {
      throw new AppError(
        'RATE_LIMITED',
        `Too many connections from this address (at most ${this.#maxPerAddress})`,
        { limit: this.#maxPerAddress },
      );
    }
    this.#perUser.set(userId, byUser + 1);
    this.#perAddress.set(address, byAddress + 1);
    this.#slots.set(transport, { userId, address });
    return true;
  }

  /** Frees the slot of a closed transport; harmless for one that holds none. */
  release(transport: object): void {
    const slot = this.#slots.get(transport);
    if (!slot) return;
    this.#slots.delete(transport);
    decrement(this.#perUser, slot.userId);
    decrement(this.#perAddress, slot.address);
  }
}

const decrement = (counts: Map<string, number>, key: string): void => {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
};
