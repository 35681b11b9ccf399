import type { Connection } from './connection.js';
import type { OutboxResult } from './outbox.js';
import type { StoredOutboxEntry } from './outbox-storage.js';

/**
 * Sends one outbox entry on the current connection, as the request its kind calls for. An edit
 * carries the entry's `clientId`, so a resent edit applies once; deletions and reactions are
 * idempotent on the server. An entry kept by an earlier SDK version (no `kind`) is a message.
 */
export const sendOutboxEntry = async (
  connection: Pick<Connection, 'request'>,
  entry: StoredOutboxEntry,
): Promise<OutboxResult> => {
  const { room, clientId, text, messageId = '', emoji = '' } = entry;
  switch (entry.kind ?? 'message') {
    case 'message': {
      const replyTo = entry.replyTo === undefined ? {} : { replyTo: entry.replyTo };
      const { message } = await connection.request('message', { room, text, clientId, ...replyTo });
      return { message };
    }
    case 'edit':
      return connection.request('edit', { room, id: messageId, text, clientId });
    case 'delete':
      return connection.request('delete', { room, id: messageId });
    case 'react':
      return connection.request('react', { room, id: messageId, emoji });
    case 'unreact':
      return connection.request('unreact', { room, id: messageId, emoji });
  }
};
