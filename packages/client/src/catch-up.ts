import { LIMITS } from '@chatter/protocol';
import type { HistoryPage } from './room-api.js';
import type { RoomState } from './room-state.js';

export interface CatchUpDeps {
  state: RoomState;
  /** A forward page of the log: every entry after `after`, `limit` seqs at most. */
  fetchAfter(after: number, limit: number): Promise<HistoryPage>;
  /** Whether the catch-up still serves the timeline it started for (same connection, not left). */
  current(): boolean;
  /** Takes a page into the log (and reports what it passed). */
  take(page: HistoryPage): void;
}

/**
 * Fetches what lies between the log the room holds and the newest `seq` seen, page by page:
 * messages and changes together, which run without a gap.
 */
export const fetchMissing = async ({
  state,
  fetchAfter,
  current,
  take,
}: CatchUpDeps): Promise<void> => {
  // Forward pages may be larger than others: 10,000 missed entries take 10 round trips, not 100.
  const size = LIMITS.catchUpPageMaxSize;
  const request = (after: number) => {
    const page = fetchAfter(after, size);
    // Awaited below, or dropped when the catch-up ends first: never an unhandled rejection.
    page.catch(() => undefined);
    return { after, page };
  };
  let next: ReturnType<typeof request> | undefined;
  while (state.behind && current()) {
    const from = state.last;
    const thisPage = next?.after === from ? next : request(from);
    // Seqs are gap-free, so the page after this one starts `size` further on: ask for it now,
    // and the server reads it while this one travels and is checked. At most two in flight.
    next = from + size < state.head ? request(from + size) : undefined;
    const page = await thisPage.page;
    if (!current()) return;
    take(page);
    // The server has nothing after `from`: what we were waiting for does not exist.
    if (state.last === from) return;
  }
};
