import type { Message, ReadReceipt, ReadState, RoomSummary, User } from '@chatter/protocol';
import type { Connection } from 'mongoose';
import type { ChatModels } from '../models/models.js';
import type { RoomDocument } from '../models/room-model.js';
import type { Logger } from '../utils/logger.js';
import {
  type AppendMessageInput,
  type AppendResult,
  type ChangeResult,
  type ChatStore,
  type CommitObserver,
  type DeleteMessageInput,
  type EditMessageInput,
  type HistoryPage,
  type HistoryRange,
  type ReactionInput,
  type ReadPosition,
  type RoomState,
  type RoomView,
  type StoredUser,
  StoreUnavailableError,
} from './chat-store.js';
import { checkDelete, checkEdit, checkReaction } from './mongo-change.js';
import { duplicateKeyOf, pingFailure, readFailure } from './mongo-errors.js';
import { MongoLog } from './mongo-log.js';
import { readDefaultEpoch, rotateMongoEpochs } from './mongo-meta.js';
import { MongoPages } from './mongo-pages.js';
import {
  checkAppend,
  roomCreation,
  roomFilter,
  toStoredUser,
  userFilter,
  usersFilter,
  userUpdate,
} from './mongo-queries.js';
import { MongoReadState } from './mongo-read-state.js';

const PING_TIMEOUT_MS = 5000;

/**
 * The MongoDB store, keeping the embedded store's guarantees without transactions (a standalone
 * server has none). A room's log (messages, and change entries of `kind: 'change'`) is one
 * collection, so the unique `(room, seq)` index referees every seq between processes: a seq is
 * assigned by the one insert that stores the entry (see `mongo-append.ts`), and a change applied
 * to its message after that insert is repaired by the next reader if a process dies in between
 * (see `mongo-change-write.ts`). Writes to one room are queued within a process, so those races
 * only happen between processes. Heads are read from the log, the truth; the room document's
 * `head` follows it with `$max`.
 */
export class MongoChatStore implements ChatStore {
  private closed = false;
  private readonly log: MongoLog;
  private readonly pages: MongoPages;
  private readonly readState: MongoReadState;

  constructor(
    private readonly connection: Connection,
    private readonly models: ChatModels,
    /** `hosts/database`, for messages. */
    readonly target: string,
    logger?: Logger,
    /**
     * Told of each batch of appends to one room that stored or found at least one message: the
     * time from its first read to its last write, and how many appends it held.
     */
    onCommit?: CommitObserver,
  ) {
    this.log = new MongoLog({
      models,
      target,
      assertOpen: () => this.assertOpen(),
      ensureRoom: async (room) => void (await this.roomDocument(room)),
      onCommit,
      onBackgroundError: (error) =>
        logger?.warn({ err: error, target }, 'could not mark a change applied; the next read will'),
    });
    this.pages = new MongoPages(this.log, models);
    this.readState = new MongoReadState(this.log, models, () => readDefaultEpoch(this.database()));
    // The driver reconnects by itself; these lines tell operators why writes fail meanwhile.
    connection.on('disconnected', () => {
      if (!this.closed) logger?.warn({ target }, `lost the connection to MongoDB at ${target}`);
    });
    connection.on('reconnected', () => {
      logger?.info({ target }, `reconnected to MongoDB at ${target}`);
    });
  }

  async viewRoom(room: string): Promise<RoomView> {
    const stored = await this.getRoom(room);
    if (stored) return { ...stored, stored: true };
    const epoch = await this.read(() => readDefaultEpoch(this.database()));
    return { room, epoch, head: 0, stored: false };
  }

  async getRoom(room: string): Promise<RoomState | null> {
    this.assertOpen();
    const [doc, head] = await this.read(() =>
      Promise.all([
        this.models.Room.findOne(roomFilter(room)).lean<RoomDocument>(),
        this.log.head(room),
      ]),
    );
    return doc ? { room, epoch: doc.epoch, head } : null;
  }

  async appendMessage(input: AppendMessageInput): Promise<AppendResult> {
    this.assertOpen();
    return this.log.append(checkAppend(input));
  }

  async getMessage(id: string): Promise<Message | null> {
    this.assertOpen();
    return this.read(() => this.pages.get(id));
  }

  async editMessage(input: EditMessageInput): Promise<ChangeResult> {
    this.assertOpen();
    return this.log.change(checkEdit(input));
  }

  async deleteMessage(input: DeleteMessageInput): Promise<ChangeResult> {
    this.assertOpen();
    return this.log.change(checkDelete(input));
  }

  async setReaction(input: ReactionInput): Promise<ChangeResult> {
    this.assertOpen();
    return this.log.change(checkReaction(input));
  }

  async listMessages(range: HistoryRange): Promise<HistoryPage> {
    this.assertOpen();
    return this.read(() => this.pages.list(range));
  }

  async addMember(userId: string, room: string): Promise<void> {
    this.assertOpen();
    await this.readState.addMember(userId, room);
  }

  async removeMember(userId: string, room: string): Promise<void> {
    this.assertOpen();
    await this.readState.removeMember(userId, room);
  }

  async markRead(userId: string, room: string, seq: number): Promise<ReadState> {
    this.assertOpen();
    return this.readState.markRead(userId, room, seq);
  }

  async readPosition(userId: string, room: string): Promise<ReadPosition> {
    this.assertOpen();
    return this.read(() => this.readState.readPosition(userId, room));
  }

  async listRooms(userId: string): Promise<RoomSummary[]> {
    this.assertOpen();
    return this.read(() => this.readState.listRooms(userId));
  }

  async readReceipts(room: string, limit: number): Promise<ReadReceipt[]> {
    this.assertOpen();
    return this.read(() => this.readState.readReceipts(room, limit));
  }

  async saveUser(user: User, lastSeen: Date): Promise<void> {
    this.assertOpen();
    await this.models.User.updateOne(userFilter(user.id), userUpdate(user.name, lastSeen), {
      upsert: true,
    });
  }

  async saveUsers(users: ReadonlyArray<{ user: User; lastSeen: Date }>): Promise<void> {
    this.assertOpen();
    if (users.length === 0) return;
    // One round trip for the batch; unordered, so one user's failure does not stop the rest.
    await this.models.User.bulkWrite(
      users.map(({ user, lastSeen }) => ({
        updateOne: {
          filter: userFilter(user.id),
          update: userUpdate(user.name, lastSeen),
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async getUsers(ids: readonly string[]): Promise<StoredUser[]> {
    this.assertOpen();
    if (ids.length === 0) return [];
    const docs = await this.read(() => this.models.User.find(usersFilter(ids)).lean());
    return docs.map(toStoredUser);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const db = this.database();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to ping within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([db.command({ ping: 1 }), timeout]);
    } catch (error) {
      throw pingFailure(error, this.target);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Gives every room (and the default epoch) a new epoch, after a `mongorestore`: every client
   * resets at its next join. Run with the servers stopped; a running one would keep serving
   * clients that have not rejoined from what they hold.
   */
  async rotateEpochs(): Promise<{ rooms: number; epoch: string }> {
    this.assertOpen();
    return rotateMongoEpochs(this.database());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.log.close();
    await this.connection.close();
  }

  /** Runs a read; what the driver throws reaches clients as UNAVAILABLE (see readFailure). */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw readFailure(error, this.target);
    }
  }

  /**
   * Closed is final. Checked by every method because the driver would otherwise reconnect a
   * closed client on its next operation.
   */
  private assertOpen(): void {
    if (this.closed) {
      throw new StoreUnavailableError(`the MongoDB store (${this.target}) is closed`);
    }
  }

  private database() {
    const db = this.connection.db;
    if (!db) throw new StoreUnavailableError(`MongoDB at ${this.target} is not connected`);
    return db;
  }

  /**
   * The room's document, created at its first message if it is missing. It takes the default
   * epoch, the one its joiners were shown while it was unwritten, so they do not reset.
   */
  private async roomDocument(room: string): Promise<RoomDocument> {
    const filter = roomFilter(room);
    const existing = await this.models.Room.findOne(filter).lean<RoomDocument>();
    if (existing) return existing;
    try {
      // Concurrent creators all upsert; `$setOnInsert` makes the first one's epoch the only one.
      const created = await this.models.Room.findOneAndUpdate(
        filter,
        roomCreation(await readDefaultEpoch(this.database()), new Date()),
        { upsert: true, returnDocument: 'after', runValidators: true },
      ).lean<RoomDocument>();
      if (created) return created;
    } catch (error) {
      // Two upserts raced to insert the same _id; the loser reads the winner's room.
      if (duplicateKeyOf(error) === undefined) throw error;
    }
    const winner = await this.models.Room.findOne(filter).lean<RoomDocument>();
    if (!winner) throw new Error(`room "${room}" vanished while it was being created`);
    return winner;
  }
}
