import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatModel } from '../chat-model';
import { toRoomName } from '../format';
import { Avatar } from './avatar';
import { Logo } from './logo';
import { PeopleList } from './people-list';

interface SidebarProps {
  model: ChatModel;
  /** Off screen (the phone layout's closed drawer): out of the tab order and the a11y tree. */
  hidden: boolean;
  /** Move focus into the drawer as it opens. */
  autoFocus: boolean;
  onNavigate(): void;
  onSignOut(): Promise<void>;
}

export const Sidebar = ({ model, hidden, autoFocus, onNavigate, onSignOut }: SidebarProps) => {
  const firstLink = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (autoFocus) firstLink.current?.focus();
  }, [autoFocus]);

  return (
    <aside id="sidebar" class="sidebar" aria-label="Rooms and people" inert={hidden}>
      <div class="brand">
        <Logo />
        <span>Chatter</span>
      </div>
      <nav class="rooms" aria-labelledby="rooms-heading">
        <h2 id="rooms-heading" class="section-heading">
          Rooms
        </h2>
        <ul class="room-list">
          {model.rooms.map((entry, index) => {
            const unread = model.unread(entry.name);
            const current = entry.name === model.active.name;
            return (
              <li key={entry.name}>
                <a
                  ref={index === 0 ? firstLink : undefined}
                  class="room-link"
                  href={`#${entry.name}`}
                  aria-current={current ? 'page' : undefined}
                  onClick={onNavigate}
                >
                  <span class="room-hash" aria-hidden="true">
                    #
                  </span>
                  <span class="room-link-name">{entry.name}</span>
                  {unread > 0 && (
                    <span class="badge">
                      <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
                      <span class="sr-only">
                        , {unread} unread {unread === 1 ? 'message' : 'messages'}
                      </span>
                    </span>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
        <JoinRoomForm onJoin={onNavigate} />
      </nav>
      <PeopleList model={model} />
      <SignedInAs model={model} onSignOut={onSignOut} />
    </aside>
  );
};

const JoinRoomForm = ({ onJoin }: { onJoin(): void }) => {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!value.trim()) return;
    const name = toRoomName(value);
    if (!name) {
      setError('Use letters, digits, - and _ (up to 64), starting with a letter or digit.');
      return;
    }
    setValue('');
    setError(null);
    // The hash is the single source of the open room, so links and the back button agree.
    window.location.hash = name;
    onJoin();
  };
  return (
    <form class="join-room" onSubmit={submit} noValidate>
      <label for="join-room">Join or create a room</label>
      <div class="inline-field">
        <input
          id="join-room"
          type="text"
          placeholder="e.g. design"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          value={value}
          onInput={(event) => {
            setValue(event.currentTarget.value);
            setError(null);
          }}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'join-room-error' : undefined}
        />
        <button type="submit" class="button">
          Join
        </button>
      </div>
      {error && (
        <p id="join-room-error" class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
};

const CONNECTION_LABEL = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Offline',
} as const;

const SignedInAs = ({ model, onSignOut }: { model: ChatModel; onSignOut(): Promise<void> }) => {
  const [confirming, setConfirming] = useState(false);
  const unsent = model.pendingCount;
  const signOut = () => {
    if (unsent > 0 && !confirming) {
      setConfirming(true);
      return;
    }
    void onSignOut();
  };
  return (
    <div class="signed-in">
      <div class="signed-in-who">
        <Avatar id={model.me.id} name={model.me.name} size="small" />
        <span class="signed-in-text">
          <span class="signed-in-name">{model.me.name}</span>
          <span class="signed-in-state" data-connection={model.connection}>
            {CONNECTION_LABEL[model.connection]}
          </span>
        </span>
        <button type="button" class="button ghost small" onClick={signOut}>
          {confirming ? 'Sign out anyway' : 'Sign out'}
        </button>
      </div>
      {confirming && (
        <p class="field-error" role="alert">
          {unsent === 1 ? '1 message is' : `${unsent} messages are`} not sent yet and will be
          discarded.{' '}
          <button type="button" class="link-button" onClick={() => setConfirming(false)}>
            Stay signed in
          </button>
        </p>
      )}
    </div>
  );
};
