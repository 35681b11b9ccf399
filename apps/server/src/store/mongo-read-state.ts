import { LIMITS, type ReadReceipt, type ReadState, type RoomSummary } from '@chatter/protocol';
import type { MembershipDocument } from '../models/membership-model.js';
import type { ChatModels } from '../models/models.js';
import type { RoomDocument } from '../models/room-model.js';
import { type ReadPosition, TooManyRoomsError } from './chat-store.js';
import type { Newest } from './mongo-append.js';
import { duplicateKeyOf } from './mongo-errors.js';
import type { MongoLog } from './mongo-log.js';
import { entryAtQuery } from './mongo-log-queries.js';
import {
  membershipCreation,
  membershipFilter,
  readAdvance,
  receiptsQuery,
  toReadReceipt,
  USER_ROOMS_SORT,
  userMembershipsFilter,
} from './mongo-members.js';
import { checkCursor, roomsFilter } from './mongo-queries.js';
import { countUnread, othersDeletedAfterFilter, ownAfterFilter } from './mongo-unread.js';

// Rooms whose unread counts one `listRooms` computes at once (each is a few index reads).
const ROOM_COUNT_CONCURRENCY = 8;

/**
 * Memberships, read positions and unread counts. The membership cap is checked by counting
 * before inserting. Within a process a user's new memberships are made one at a time, so the
 * count is exact there; between processes there is no lock (no transactions), and joins of new
 * rooms racing on two servers can take a user a room or two past `LIMITS.roomsPerUserMax`. The
 * cap is there to bound the room list, which that does not defeat.
 */
export class MongoReadState {
  private readonly creations = new KeyedLock();

  constructor(
    private readonly log: MongoLog,
    private readonly models: ChatModels,
    private readonly defaultEpoch: () => Promise<string>,
  ) {}

  async addMember(userId: string, room: string): Promise<void> {
    const filter = membershipFilter(userId, room);
    const exists = async () => Boolean(await this.models.Membership.exists(filter));
    if (await exists()) return;
    await this.creations.run(userId, async () => {
      if (await exists()) return;
      await this.checkCapacity(userId);
      // A new member has read up to the head (see `ChatStore.addMember`); a message stored
      // between this read and the insert stays unread, which is what it is.
      const head = await this.log.newest(room);
      await this.upsert(() =>
        this.models.Membership.updateOne(filter, membershipCreation(new Date(), head.seq), {
          upsert: true,
        }),
      );
    });
  }

  async removeMember(userId: string, room: string): Promise<void> {
    await this.models.Membership.deleteOne(membershipFilter(userId, room));
  }

  async markRead(userId: string, room: string, seq: number): Promise<ReadState> {
    const filter = membershipFilter(userId, room);
    const wanted = checkCursor(seq, 'seq');
    const head = await this.log.newest(room);
    const exists = async () => Boolean(await this.models.Membership.exists(filter));
    const advance = () =>
      this.upsert(() =>
        this.models.Membership.findOneAndUpdate(
          filter,
          readAdvance(Math.min(wanted, head.seq), new Date()),
          { upsert: true, returnDocument: 'after' },
        ).lean<MembershipDocument>(),
      );
    // Reading a room one is not in makes one a member: a new membership, under the cap.
    const membership = (await exists())
      ? await advance()
      : await this.creations.run(userId, async () => {
          if (!(await exists())) await this.checkCapacity(userId);
          return advance();
        });
    const readSeq = membership?.readSeq ?? 0;
    const { unread, head: at } = await this.position(userId, room, readSeq, head);
    return { room, seq: readSeq, unread, head: at };
  }

  async readPosition(userId: string, room: string): Promise<ReadPosition> {
    const filter = membershipFilter(userId, room);
    const head = await this.log.newest(room);
    const membership = await this.models.Membership.findOne(filter).lean<MembershipDocument>();
    const readSeq = membership?.readSeq ?? 0;
    const { unread, head: at } = await this.position(userId, room, readSeq, head);
    return { readSeq, unread, head: at };
  }

  async listRooms(userId: string): Promise<RoomSummary[]> {
    const memberships = await this.models.Membership.find(userMembershipsFilter(userId))
      .sort(USER_ROOMS_SORT)
      .lean<MembershipDocument[]>();
    if (memberships.length === 0) return [];
    const rooms = await this.models.Room.find(
      roomsFilter(memberships.map((membership) => membership.room)),
    ).lean<RoomDocument[]>();
    const epochs = new Map(rooms.map((room) => [room._id, room.epoch]));
    const fallback = epochs.size < memberships.length ? await this.defaultEpoch() : '';
    return mapLimited(memberships, ROOM_COUNT_CONCURRENCY, async (membership) => {
      const head = await this.log.newest(membership.room);
      const { unread, head: at } = await this.position(
        userId,
        membership.room,
        membership.readSeq,
        head,
      );
      return {
        room: membership.room,
        epoch: epochs.get(membership.room) ?? fallback,
        head: at,
        readSeq: membership.readSeq,
        unread,
        joinedAt: membership.joinedAt.toISOString(),
      };
    });
  }

  async readReceipts(room: string, limit: number): Promise<ReadReceipt[]> {
    const query = receiptsQuery(room, limit);
    // A limit of 0 would mean "no limit" to MongoDB.
    if (query.limit === 0) return [];
    const docs = await this.models.Membership.find(query.filter)
      .select(query.projection)
      .sort(query.sort)
      .limit(query.limit)
      .lean<Array<Pick<MembershipDocument, 'userId' | 'readSeq'>>>();
    return docs.map(toReadReceipt);
  }

  /**
   * Unread after `readSeq` as of `head`, once the room's pending changes are applied (a deletion
   * counts only once it is on its message). A read position past the head snapshot (moved by a
   * writer that saw a newer head) leaves nothing unread, at that position.
   */
  private async position(
    userId: string,
    room: string,
    readSeq: number,
    head: Newest,
  ): Promise<{ unread: number; head: number }> {
    await this.log.repair(room);
    const { Message } = this.models;
    const unread = await countUnread(readSeq, head, {
      ordinalAt: async (seq) => {
        const query = entryAtQuery(room, seq);
        const entry = await Message.findOne(query.filter)
          .select(query.projection)
          .lean<{ ordinal?: unknown }>();
        if (typeof entry?.ordinal !== 'number') {
          throw new Error(`room "${room}" has no entry with an ordinal at seq ${seq}`);
        }
        return entry.ordinal;
      },
      countOwn: (after, at) => Message.countDocuments(ownAfterFilter(room, userId, after, at)),
      countOthersDeleted: (after, at) =>
        Message.countDocuments(othersDeletedAfterFilter(room, userId, after, at)),
    });
    return { unread, head: Math.max(head.seq, readSeq) };
  }

  private async checkCapacity(userId: string): Promise<void> {
    const count = await this.models.Membership.countDocuments(userMembershipsFilter(userId));
    if (count >= LIMITS.roomsPerUserMax) {
      throw new TooManyRoomsError(`user ${userId} is in ${LIMITS.roomsPerUserMax} rooms already`);
    }
  }

  /**
   * Runs an upsert on the unique `(userId, room)` index. Two upserts of one missing membership
   * can both try to insert; the loser's duplicate-key error means the document exists now, and
   * the same upsert again updates it.
   */
  private async upsert<T>(run: () => PromiseLike<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (duplicateKeyOf(error) === undefined) throw error;
      return run();
    }
  }
}

/** `map` with at most `limit` calls running at once; results in input order. */
const mapLimited = async <T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** Runs work for one key after the work queued before it for that key, in this process. */
class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    void tail.finally(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
