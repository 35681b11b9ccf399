import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import type { ChatModels } from '../models/models.js';
import { type BatchSteps, idempotencyKey, type Newest } from './mongo-append.js';
import type { ApplySteps, ChangeSteps } from './mongo-change-write.js';
import { PARENT_PROJECTION, type ParentDocument } from './mongo-documents.js';
import { orderedInsertFailure } from './mongo-errors.js';
import {
  editOriginalFilter,
  editTextsRemoval,
  messageFilter,
  messagesFilter,
  pendingClear,
} from './mongo-log-queries.js';
import { headAdvance, originalFilter, originalsFilter, roomFilter } from './mongo-queries.js';

/**
 * The database steps of the log's algorithms (`mongo-append.ts`, `mongo-change-write.ts`), bound
 * to one room: each is one query built in `mongo-*-queries.ts`.
 */
export interface RoomBindings {
  models: ChatModels;
  room: string;
  /** Applies the room's pending changes (`MongoLog.repair`). */
  repair(): Promise<unknown>;
  newest(): Promise<Newest>;
  ensureRoom(): Promise<void>;
}

const advanceHead =
  ({ models, room }: RoomBindings) =>
  async (seq: number) =>
    void (await models.Room.updateOne(roomFilter(room), headAdvance(seq)));

/**
 * Applying entries. `clear` runs the write that marks an entry applied: the writer answers
 * without waiting for it (if it is lost, the next reader finds the entry applied and redoes it),
 * a reader waits.
 */
export const applySteps = (
  { Change, Message }: ChatModels,
  clear: (write: Promise<unknown>) => Promise<void>,
): ApplySteps => ({
  findMessage: (id) => Message.findOne(messageFilter(id)).lean<MessageDocument>(),
  update: async ({ filter, update }) => (await Message.updateOne(filter, update)).matchedCount > 0,
  removeEditTexts: async (messageId) => {
    const { filter, update } = editTextsRemoval(messageId);
    await Change.updateMany(filter, update);
  },
  clearPending: (entry) => {
    const { filter, update } = pendingClear(entry._id);
    return clear(Change.updateOne(filter, update).exec());
  },
});

/** A batch of appends. The parents it finds are kept in `parents`, to convert the replies. */
export const batchSteps = (
  bindings: RoomBindings,
  parents: Map<string, ParentDocument>,
): BatchSteps => {
  const { models, room } = bindings;
  const { Message } = models;
  return {
    findOriginals: async (batch) => {
      const keyed = batch.filter((input) => input.clientId !== undefined);
      if (keyed.length === 0) return new Map();
      const docs = await Message.find(originalsFilter(room, keyed)).lean<MessageDocument[]>();
      const byKey = new Map<string, MessageDocument>();
      for (const doc of docs) {
        const key = idempotencyKey(doc);
        if (key !== undefined) byKey.set(key, doc);
      }
      return byKey;
    },
    findOriginal: async (input) => {
      if (input.clientId === undefined) return undefined;
      const filter = originalFilter({ ...input, clientId: input.clientId });
      return (await Message.findOne(filter).lean<MessageDocument>()) ?? undefined;
    },
    findParents: async (ids) => {
      // A deletion in the log but not yet on its message must refuse the reply too.
      await bindings.repair();
      const found = await Message.find(messagesFilter(ids))
        .select(PARENT_PROJECTION)
        .lean<ParentDocument[]>();
      for (const parent of found) parents.set(parent._id, parent);
      return new Map(found.map((parent) => [parent._id, parent]));
    },
    ensureRoom: bindings.ensureRoom,
    newest: bindings.newest,
    insertOrdered: async (docs) => {
      try {
        await Message.insertMany(docs, { ordered: true });
        return { inserted: docs.length };
      } catch (error) {
        return orderedInsertFailure(error);
      }
    },
    advanceHead: advanceHead(bindings),
  };
};

/** One change by `actorId`. */
export const changeSteps = (
  bindings: RoomBindings,
  actorId: string,
  apply: ApplySteps,
): ChangeSteps => {
  const { models, room } = bindings;
  return {
    ...apply,
    repair: async () => void (await bindings.repair()),
    findEdit: (clientId) =>
      models.Change.findOne(editOriginalFilter(room, actorId, clientId)).lean<ChangeDocument>(),
    newest: bindings.newest,
    insert: async (entry) => {
      try {
        await models.Change.insertMany([entry], { ordered: true });
        return {};
      } catch (error) {
        return { failure: orderedInsertFailure(error).failure };
      }
    },
    advanceHead: advanceHead(bindings),
  };
};
