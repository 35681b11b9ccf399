/**
 * Every limit Chatter enforces. The server, the SDK and the web app read them from here and
 * nowhere else, so a change is one edit.
 */
export const LIMITS = {
  /** Longest message text, in Unicode code points (an emoji counts as one). */
  messageTextMaxLength: 4000,
  /** Longest display name, in Unicode code points. */
  displayNameMaxLength: 40,
  /** Largest page of history one request can ask for. */
  historyPageMaxSize: 100,
  /**
   * Largest forward page (`history { after }` with no `before`, over the socket) and the most a
   * resumed `join { since }` replays: what a client coming back reads to catch up. Larger pages
   * mean fewer round trips (10,000 missed messages: 10 instead of 100), but one page is one
   * frame, and it holds up everything behind it on that connection while it travels. A typical
   * message is about 300 bytes of JSON, so a page is ~300 KB; the worst case (4,000 characters
   * that each escape to 6 bytes) is ~24 MB, which is why this stays at 1,000 and not more.
   * REST pages and backward pages keep `historyPageMaxSize`.
   */
  catchUpPageMaxSize: 1000,
  /** Page size used when a history request names none. */
  historyPageDefaultSize: 50,
  /** Longest user id (`sub` claim) a token may carry. */
  userIdMaxLength: 128,
  /** Longest `clientId` a client may attach to a message. */
  clientIdMaxLength: 64,
  /**
   * Longest access token a server accepts, in characters. A token travels with every handshake
   * and REST request: a client refuses a longer one itself, since one past the frame limit
   * (`maxPayloadBytes`) would only see its connection closed, with no reason given.
   */
  maxTokenLength: 8192,
  /**
   * How long a client shows someone typing after it last heard `typing: true` from them. A server
   * repeats `true` for an indicator that goes on (at least every `typingRepeatMs`), so one that
   * nobody ends, because the server that relayed it died, still goes away by itself.
   */
  typingIndicatorTtlMs: 6000,
  /** A continuing typing indicator is relayed again once this long has passed since the last. */
  typingRepeatMs: 2500,
  /** Longest reaction, in UTF-16 code units: one emoji, ZWJ sequences and skin tones included. */
  emojiMaxLength: 32,
  /** Most different emoji one message may carry; reacting with one more is refused. */
  reactionsPerMessageMax: 20,
  /**
   * Most user ids a message lists per emoji (the earliest reactors); `count` is always exact. A
   * message in a large room stays small however many react.
   */
  reactionUsersListed: 100,
  /** Longest excerpt of the parent a reply carries, in Unicode code points. */
  replyExcerptMaxLength: 120,
  /** Most read positions of others a join answer lists (the furthest ahead first). */
  readReceiptsListed: 100,
  /** A room's read receipts go out at most this often, gathered into one `receipts` event. */
  readReceiptsIntervalMs: 1000,
  /**
   * Most rooms the server remembers for one user (`GET /api/rooms`). Joining one more is
   * refused until the user leaves one.
   */
  roomsPerUserMax: 1000,
  /** Most user ids one status query may name. */
  statusQueryMaxUsers: 100,
  /**
   * Largest REST body or Socket.IO frame a server accepts, in bytes. A 4,000-character message
   * fits with room to spare even when every character is escaped.
   */
  maxPayloadBytes: 32 * 1024,
} as const;

export type Limits = typeof LIMITS;

/** Room names: lower-case letters, digits, `_` and `-`, starting with a letter or digit, 1–64 long. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Message ids are opaque to clients: UUIDs on SQLite, ObjectIds on MongoDB. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Client ids are opaque to the server; UUIDs, ULIDs and nanoids all fit. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
