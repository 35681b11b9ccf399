import { usePresence } from '@chatter/react';

/** Everyone online or away, kept up to date by presence events. */
export const People = () => {
  const { presence } = usePresence();
  const people = [...presence.values()].sort((a, b) => a.user.name.localeCompare(b.user.name));
  return (
    <aside className="people" aria-label="People">
      <h2>Online</h2>
      <ul>
        {people.map(({ user, status }) => (
          <li key={user.id} className={`presence-${status}`}>
            {user.name} <small>{status}</small>
          </li>
        ))}
      </ul>
    </aside>
  );
};
