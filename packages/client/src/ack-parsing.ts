import { clientEventAckSchemas, isMessage, MessageChangeSchema } from '@chatter/protocol';
import * as z from 'zod/mini';

/** A client event the server acknowledges. */
export type AckEvent = keyof typeof clientEventAckSchemas;

/** The successful acknowledgement of `E`, as its protocol schema gives it. */
export type OkAck<E extends AckEvent> = Extract<
  z.infer<(typeof clientEventAckSchemas)[E]>,
  { ok: true }
>;

/** The verdict of {@link parseAck}: the schema's own `safeParse` result. */
export type ParsedAck =
  | { success: true; data: unknown }
  | { success: false; error: z.core.$ZodError };

/** A change without its message, which `isMessage` checks faster. */
const ChangeFieldsSchema = z.omit(MessageChangeSchema, { message: true });

/** The changes of a page as the schema would give them, or undefined when not sure. */
const quickChanges = (changes: unknown): unknown[] | undefined => {
  if (!Array.isArray(changes)) return undefined;
  const parsed: unknown[] = [];
  for (const change of changes) {
    if (typeof change !== 'object' || change === null || !('message' in change)) return undefined;
    if (!isMessage(change.message)) return undefined;
    const fields = ChangeFieldsSchema.safeParse(change);
    if (!fields.success) return undefined;
    parsed.push({ ...fields.data, message: change.message });
  }
  return parsed;
};

/**
 * Checks an acknowledgement against its protocol schema. The messages of a `join` or `history`
 * page (up to 1,000 entries), its own and those its changes carry, are checked with
 * `isMessage`, which zod would take several times as long for (a catch-up is mostly that), and
 * the rest with the schema. Whatever `isMessage` is not sure of goes through the schema whole,
 * so the verdict and its issues are the schema's.
 */
export const parseAck = (event: AckEvent, raw: unknown): ParsedAck => {
  const schema: z.ZodMiniType = clientEventAckSchemas[event];
  if (typeof raw === 'object' && raw !== null && 'messages' in raw) {
    const { messages } = raw;
    const changes = 'changes' in raw ? quickChanges(raw.changes) : [];
    if (Array.isArray(messages) && messages.every(isMessage) && changes) {
      const envelope =
        'changes' in raw ? { ...raw, messages: [], changes: [] } : { ...raw, messages: [] };
      const rest = schema.safeParse(envelope);
      if (rest.success) {
        const data = { ...(rest.data as object), messages };
        return { success: true, data: 'changes' in raw ? { ...data, changes } : data };
      }
    }
  }
  return schema.safeParse(raw);
};
