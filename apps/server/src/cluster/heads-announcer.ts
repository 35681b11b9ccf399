import { type ChatServer, chatRoomsOnThisNode } from '../sockets/types.js';
import type { ChatStore } from '../store/chat-store.js';
import type { Logger } from '../utils/logger.js';
import type { RedisLink } from './redis-link.js';

// After a loss, heads are announced again this often for this long: a node whose link came back
// later than ours may have stored messages it could not publish until then.
const REPEAT_INTERVAL_MS = 10_000;
const REPEAT_FOR_MS = 60_000;

/**
 * Pub/sub between nodes is at-most-once; the store is the truth. When this node's Redis link
 * comes back it tells each of its sockets the head of each room they are in (`head` event), and
 * asks every other node to do the same, since their sockets missed what this node published
 * meanwhile. A client whose head is behind fetches the gap from history. As a safety net, the
 * announcement is repeated for a minute after any loss.
 */
export class HeadsAnnouncer {
  readonly #io: ChatServer;
  readonly #store: ChatStore;
  readonly #link: RedisLink;
  readonly #logger: Logger;
  readonly #channel: string;
  readonly #timer: NodeJS.Timeout;
  #lostAt = Number.NEGATIVE_INFINITY;
  #announcing: Promise<void> | undefined;

  constructor(deps: { io: ChatServer; store: ChatStore; link: RedisLink; logger: Logger }) {
    this.#io = deps.io;
    this.#store = deps.store;
    this.#link = deps.link;
    this.#logger = deps.logger;
    this.#channel = deps.link.key('heads');
    this.#timer = setInterval(() => {
      if (performance.now() - this.#lostAt < REPEAT_FOR_MS) void this.announce();
    }, REPEAT_INTERVAL_MS);
    this.#timer.unref();
  }

  async start(): Promise<void> {
    await this.#link.subscriber.subscribe(this.#channel, (from) => {
      if (from === this.#link.nodeId) return;
      this.#lostAt = performance.now();
      void this.announce();
    });
    this.#link.on('lost', () => {
      this.#lostAt = performance.now();
    });
    this.#link.on('restored', () => {
      this.#lostAt = performance.now();
      void this.announce();
      this.#link.publisher
        .publish(this.#channel, this.#link.nodeId)
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'could not ask for heads'));
    });
  }

  /** Tells this node's sockets the head of every room they are in. */
  announce(): Promise<void> {
    this.#announcing ??= this.#announceAll().finally(() => {
      this.#announcing = undefined;
    });
    return this.#announcing;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #announceAll(): Promise<void> {
    const rooms = chatRoomsOnThisNode(this.#io);
    for (const room of rooms) {
      try {
        const { epoch, head } = await this.#store.viewRoom(room);
        this.#io.local.to(room).emit('head', { room, epoch, head });
      } catch (error) {
        this.#logger.warn({ err: error, room }, 'could not announce the head of a room');
      }
    }
    this.#logger.debug({ rooms: rooms.length }, 'announced room heads');
  }
}
