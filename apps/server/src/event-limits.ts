/**
 * The fixed parts of what one connection may ask of the server. The rates are configured
 * (`CHATTER_EVENTS_PER_SECOND`, `CHATTER_READ_BYTES_PER_SECOND`,
 * `CHATTER_REFUSALS_BEFORE_DISCONNECT`); these shape them. README: "Event budgets".
 */
export const EVENT_LIMITS = {
  /** The events budget holds this many seconds of its rate: a burst, then the rate. */
  eventBurstSeconds: 5,
  /** The read budget holds this many seconds of its rate: a catch-up reads in one burst. */
  readBurstSeconds: 10,
  /**
   * What a read costs before its messages: the query, the acknowledgement. Without it, reads of
   * empty pages would be free; with it, 64 KiB of a 2 MiB/s budget is 32 empty reads a second.
   */
  readRequestCostBytes: 64 * 1024,
  /** JSON of a message beyond its text and author name: ids, seq, room, timestamps. */
  messageOverheadBytes: 200,
  /** Refusals are forgiven at this rate, so only a connection that keeps pushing is closed. */
  refusalsForgivenPerSecond: 1,
  /** A user's typing start is relayed to a room at most once per this interval. */
  typingRelayIntervalMs: 1000,
  /** A user's away/online changes are announced at most once per this interval (the last wins). */
  awayAnnounceIntervalMs: 1000,
} as const;

export type EventLimits = typeof EVENT_LIMITS;
