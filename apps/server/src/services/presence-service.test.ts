import type { Presence } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { InMemoryPresenceTracker } from './presence-service.js';

const BOB = { id: 'bob', name: 'Bob' };

const tracker = () => {
  const changes: Array<{ presence: Presence; rooms: readonly string[] }> = [];
  const presence = new InMemoryPresenceTracker(60_000, {
    onChange: (update, rooms) => changes.push({ presence: update, rooms }),
    onSeen: () => {},
  });
  return { presence, changes };
};

describe('InMemoryPresenceTracker', () => {
  it('announces a user to a room once, however many of their connections enter it', () => {
    const { presence, changes } = tracker();
    for (let tab = 0; tab < 30; tab++) presence.connect(BOB, `tab-${tab}`);
    for (let tab = 0; tab < 30; tab++) presence.enterRoom(BOB.id, `tab-${tab}`, 'general');
    expect(changes.filter(({ rooms }) => rooms.includes('general'))).toHaveLength(1);
    presence.close();
  });

  it('announces the user again to a room once their last connection there has left it', () => {
    const { presence, changes } = tracker();
    presence.connect(BOB, 'tab-1');
    presence.enterRoom(BOB.id, 'tab-1', 'general');
    presence.exitRoom(BOB.id, 'tab-1', 'general');
    presence.enterRoom(BOB.id, 'tab-1', 'general');
    expect(changes.filter(({ rooms }) => rooms.includes('general'))).toHaveLength(2);
    presence.close();
  });

  it('publishes a status change once per change, not once per connection', () => {
    const { presence, changes } = tracker();
    presence.connect(BOB, 'tab-1');
    presence.connect(BOB, 'tab-2');
    presence.enterRoom(BOB.id, 'tab-1', 'general');
    changes.length = 0;
    presence.setAway(BOB.id, 'tab-1', true);
    presence.setAway(BOB.id, 'tab-1', true);
    expect(changes).toEqual([]);
    presence.setAway(BOB.id, 'tab-2', true);
    presence.setAway(BOB.id, 'tab-2', true);
    expect(changes.map(({ presence: p }) => p.status)).toEqual(['away']);
    presence.close();
  });
});
