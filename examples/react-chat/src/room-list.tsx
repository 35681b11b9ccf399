import { useUnreadCounts } from '@chatter/react';
import { type FormEvent, useState } from 'react';

/** The user's rooms (the same on every device) with live unread counts, and a room to open. */
export const RoomList = ({
  current,
  onOpen,
}: {
  current: string;
  onOpen: (room: string) => void;
}) => {
  // Joins every listed room, so that each count moves as messages arrive.
  const { rooms, error } = useUnreadCounts({ joinRooms: true });
  const [draft, setDraft] = useState('');
  const open = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    onOpen(draft.trim());
    setDraft('');
  };
  const names = rooms.some(({ room }) => room === current)
    ? rooms
    : [{ room: current, unread: 0 }, ...rooms];
  return (
    <nav className="rooms" aria-label="Rooms">
      <ul>
        {names.map(({ room, unread }) => (
          <li key={room}>
            <button
              type="button"
              aria-current={room === current ? 'page' : undefined}
              onClick={() => onOpen(room)}
            >
              # {room}
              {unread > 0 && room !== current && (
                <span className="badge">
                  {unread}
                  <span className="visually-hidden"> unread</span>
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={open}>
        <input
          aria-label="Room to open"
          placeholder="another-room"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit">Open</button>
      </form>
      {error && <p role="alert">{error.message}</p>}
    </nav>
  );
};
