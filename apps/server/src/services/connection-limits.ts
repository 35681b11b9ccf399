import { AppError } from '../utils/errors.js';

/**
 * How many sockets each user and each client address hold. A new identity is cheap for a guest,
 * so the address limit is what bounds one person; the user limit bounds one leaked token.
 */
export class ConnectionLimits {
  readonly #perUser = new Map<string, number>();
  readonly #perAddress = new Map<string, number>();
  readonly #maxPerUser: number;
  readonly #maxPerAddress: number;

  constructor(limits: { maxPerUser: number; maxPerAddress: number }) {
    this.#maxPerUser = limits.maxPerUser;
    this.#maxPerAddress = limits.maxPerAddress;
  }

  /**
   * Counts a new connection, or throws RATE_LIMITED when the user or the address holds as many
   * as allowed. The returned function releases it; calling it more than once is harmless.
   */
  admit(userId: string, address: string): () => void {
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
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.#perUser, userId);
      decrement(this.#perAddress, address);
    };
  }

  /** Connections held now, for tests and metrics. */
  count(): { users: number; addresses: number } {
    return { users: this.#perUser.size, addresses: this.#perAddress.size };
  }
}

const decrement = (counts: Map<string, number>, key: string): void => {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
};
