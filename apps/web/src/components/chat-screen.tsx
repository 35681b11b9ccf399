import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatModel, HOME_ROOM } from '../chat-model';
import { toRoomName } from '../format';
import { roomFromHash, useMediaQuery, useModel } from '../hooks';
import type { Session } from '../session';
import { RoomView } from './room-view';
import { Sidebar } from './sidebar';

interface ChatScreenProps {
  session: Session;
  onSignOut(): void;
  onSessionEnded(reason: string): void;
}

const roomInUrl = (): string | null => {
  const raw = roomFromHash();
  return raw === null ? null : toRoomName(raw);
};

export const ChatScreen = ({ session, onSignOut, onSessionEnded }: ChatScreenProps) => {
  const [model] = useState(
    () => new ChatModel({ url: window.location.origin, session, onSessionEnded }),
  );
  useModel(model);
  const narrow = useMediaQuery('(max-width: 47.99rem)');
  const [drawerOpen, setDrawerOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    model.start(roomInUrl() ?? HOME_ROOM);
    const onHashChange = () => {
      const name = roomInUrl();
      if (name) model.open(name);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      model.close();
    };
  }, [model]);

  const active = model.active.name;
  const totalUnread = model.rooms.reduce((sum, entry) => sum + model.unread(entry.name), 0);
  // Only when the open room changes: a render for anything else (an unread count) could run
  // between a new hash and its hashchange event, and would put the old room back in the URL.
  useEffect(() => {
    if (roomInUrl() !== active) window.history.replaceState(null, '', `#${active}`);
  }, [active]);
  useEffect(() => {
    document.title = `${totalUnread > 0 ? `(${totalUnread}) ` : ''}#${active} · Chatter`;
  }, [active, totalUnread]);

  const focusMenuButton = useRef(false);
  const closeDrawer = (returnFocus: boolean) => {
    focusMenuButton.current = returnFocus;
    setDrawerOpen(false);
  };
  // After the render that lifts `inert` from the room: an inert button cannot take focus.
  useEffect(() => {
    if (drawerOpen || !focusMenuButton.current) return;
    focusMenuButton.current = false;
    menuButton.current?.focus();
  }, [drawerOpen]);

  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeDrawer(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  const drawerHidden = narrow && !drawerOpen;
  return (
    <div class="chat" data-drawer={narrow ? (drawerOpen ? 'open' : 'closed') : undefined}>
      <Sidebar
        model={model}
        hidden={drawerHidden}
        autoFocus={narrow && drawerOpen}
        onNavigate={() => closeDrawer(false)}
        onSignOut={async () => {
          await model.signOut();
          onSignOut();
        }}
      />
      {narrow && drawerOpen && (
        <button
          type="button"
          class="scrim"
          tabIndex={-1}
          aria-label="Close the menu"
          onClick={() => closeDrawer(true)}
        />
      )}
      <RoomView
        model={model}
        entry={model.active}
        inert={narrow && drawerOpen}
        menuButton={
          narrow
            ? { ref: menuButton, expanded: drawerOpen, onClick: () => setDrawerOpen(true) }
            : null
        }
      />
    </div>
  );
};
