import type { User } from '@chatter/client';
import { useConnectionStatus } from '@chatter/react';
import { useState } from 'react';
import { People } from './people.js';
import { RoomList } from './room-list.js';
import { RoomView } from './room-view.js';

/** The signed-in layout: rooms on the left, the open room, people on the right. */
export const Chat = ({ user, onSignOut }: { user: User; onSignOut: () => void }) => {
  const [room, setRoom] = useState('general');
  const status = useConnectionStatus();
  return (
    <div className="chat">
      <header>
        <strong>{user.name}</strong>
        <span className={`status status-${status}`}>{status}</span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {status !== 'connected' && (
        <p className="banner" role="status">
          {status === 'connecting' ? 'Connecting… messages you send wait here.' : 'Disconnected.'}
        </p>
      )}
      <RoomList current={room} onOpen={setRoom} />
      <RoomView key={room} name={room} />
      <People />
    </div>
  );
};
