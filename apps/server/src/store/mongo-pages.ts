import type { Message } from '@chatter/protocol';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import type { ChatModels } from '../models/models.js';
import type { HistoryPage, HistoryRange } from './chat-store.js';
import { toChange } from './mongo-documents.js';
import type { MongoLog } from './mongo-log.js';
import {
  backwardQuery,
  checkForward,
  entriesQuery,
  forwardRange,
  messageFilter,
  messagesFilter,
} from './mongo-log-queries.js';
import { checkRoom } from './mongo-queries.js';

type LogEntry = MessageDocument | ChangeDocument;

const isChange = (entry: LogEntry): entry is ChangeDocument => entry.kind === 'change';

/**
 * Reading a room's log: pages and single messages, each in its latest state. Every read first
 * applies the room's pending changes (see `mongo-change-write.ts`), so what it returns never
 * lags behind an entry it returns or counts.
 */
export class MongoPages {
  constructor(
    private readonly log: MongoLog,
    private readonly models: ChatModels,
  ) {}

  async list(range: HistoryRange): Promise<HistoryPage> {
    return range.after === undefined ? this.backward(range) : this.forward(range);
  }

  /** The message in its latest state, or null when no message has this id. */
  async get(id: string): Promise<Message | null> {
    const filter = messageFilter(id);
    let doc = await this.models.Message.findOne(filter).lean<MessageDocument>();
    if (!doc) return null;
    if ((await this.log.repair(doc.room)) > 0) {
      doc = (await this.models.Message.findOne(filter).lean<MessageDocument>()) ?? doc;
    }
    const [message] = await this.log.messages([doc]);
    return message ?? null;
  }

  /**
   * Every entry in `(after, end]` (see `forwardRange`): the head first, as the snapshot that
   * fixes `end`; then the entries, messages and changes, in one range of the `(room, seq)`
   * index; then the messages the changes changed that lie before the page, and the parents of
   * replies: one query each, none when there are none.
   */
  private async forward(range: HistoryRange): Promise<HistoryPage> {
    const room = checkRoom(range.room);
    const request = checkForward(range);
    const head = await this.log.head(room);
    const { after, end, hasMore } = forwardRange(request, head);
    if (end <= after) return { messages: [], changes: [], hasMore };
    await this.log.repair(room);
    const query = entriesQuery(room, after, end);
    const entries = await this.models.Message.find(query.filter)
      .sort(query.sort)
      .lean<LogEntry[]>();
    const created: MessageDocument[] = [];
    const changes: ChangeDocument[] = [];
    for (const entry of entries) {
      if (isChange(entry)) changes.push(entry);
      else created.push(entry);
    }
    const inPage = new Set(created.map((doc) => doc._id));
    const earlier = [...new Set(changes.map((change) => change.messageId))].filter(
      (id) => !inPage.has(id),
    );
    const targets =
      earlier.length === 0
        ? []
        : await this.models.Message.find(messagesFilter(earlier)).lean<MessageDocument[]>();
    const messages = await this.log.messages([...created, ...targets]);
    const byId = new Map(messages.map((message) => [message.id, message]));
    return {
      messages: messages.slice(0, created.length),
      changes: changes.map((change) => {
        const message = byId.get(change.messageId);
        if (!message) {
          throw new Error(
            `change ${change.seq} of room "${room}" is for message ${change.messageId}, which is missing`,
          );
        }
        return toChange(change, message);
      }),
      hasMore,
    };
  }

  /** The newest `limit` messages before `before` (or the head): messages only, no changes. */
  private async backward(range: HistoryRange): Promise<HistoryPage> {
    const query = backwardQuery(range);
    await this.log.repair(checkRoom(range.room));
    const docs = await this.models.Message.find(query.filter)
      .sort(query.sort)
      .limit(query.limit)
      .lean<MessageDocument[]>();
    const page = docs.slice(0, query.limit - 1).reverse();
    return {
      messages: await this.log.messages(page),
      changes: [],
      hasMore: docs.length > page.length,
    };
  }
}
