import type { Presence, StatusResponse, UserStatus } from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { LastSeenRecorder } from '../services/last-seen-recorder.js';
import type { PresenceTracker } from '../services/presence-service.js';
import type { ChatStore } from '../store/chat-store.js';

const toUserStatus = ({ user, status, lastSeen }: Presence): UserStatus => ({
  id: user.id,
  name: user.name,
  status,
  lastSeen,
});

export const createStatusController = (
  presence: PresenceTracker,
  lastSeen: LastSeenRecorder,
  store: ChatStore,
) => ({
  async list({ users }: { users?: string[] | undefined }): Promise<Reply<StatusResponse>> {
    if (!users) {
      return { status: 200, body: { users: presence.listOnline().map(toUserStatus) } };
    }
    const ids = [...new Set(users)];
    const notLive = ids.filter((id) => !presence.get(id) && !lastSeen.pending(id));
    const stored = new Map((await store.getUsers(notLive)).map((user) => [user.id, user]));
    const statuses = ids.flatMap((id): UserStatus[] => {
      const live = presence.get(id);
      if (live) return [toUserStatus(live)];
      // A time not written yet is newer than the stored one.
      const known = lastSeen.pending(id) ?? stored.get(id);
      return known ? [{ id, name: known.name, lastSeen: known.lastSeen, status: 'offline' }] : [];
    });
    return { status: 200, body: { users: statuses } };
  },
});
