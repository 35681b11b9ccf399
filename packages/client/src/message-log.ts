import { LIMITS, type Message, type MessageChange, type ReplyTo } from '@chatter/protocol';

/**
 * One entry of a room's log: a message created at `seq`, or a change (edit, deletion, reaction)
 * made at `seq` to a message created earlier. Seqs run without a gap across both kinds.
 */
export type LogEntry =
  | { kind: 'message'; seq: number; message: Message }
  | { kind: 'change'; seq: number; change: MessageChange };

export const messageEntry = (message: Message): LogEntry => ({
  kind: 'message',
  seq: message.seq,
  message,
});

export const changeEntry = (change: MessageChange): LogEntry => ({
  kind: 'change',
  seq: change.seq,
  change,
});

/** Where the message created at `seq` is in `messages` (ordered by `seq`), or -1. */
export const indexOfSeq = (messages: readonly Message[], seq: number): number => {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = messages[middle]?.seq ?? 0;
    if (found === seq) return middle;
    if (found < seq) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
};

/** The start of a parent's text as its replies quote it: its first code points, as the server cuts it. */
export const replyExcerpt = (text: string): string => {
  // Cheap for the common short text: at most one code point per UTF-16 unit.
  if (text.length <= LIMITS.replyExcerptMaxLength) return text;
  let excerpt = '';
  let count = 0;
  for (const codePoint of text) {
    if (count++ === LIMITS.replyExcerptMaxLength) break;
    excerpt += codePoint;
  }
  return excerpt;
};

/** `reply` quoting `parent` as it is now: its current excerpt, or empty and `deleted` once deleted. */
export const quoting = (reply: Message, parent: Message): Message => {
  const quoted = reply.replyTo;
  if (!quoted || quoted.id !== parent.id) return reply;
  const replyTo: ReplyTo = {
    id: quoted.id,
    seq: quoted.seq,
    author: quoted.author,
    excerpt: parent.deletedAt === undefined ? replyExcerpt(parent.text) : '',
    ...(parent.deletedAt === undefined ? {} : { deleted: true as const }),
  };
  if (replyTo.excerpt === quoted.excerpt && replyTo.deleted === quoted.deleted) return reply;
  return { ...reply, replyTo };
};
