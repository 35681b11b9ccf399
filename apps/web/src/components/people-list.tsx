import type { ChatModel, Person } from '../chat-model';
import { formatAgo } from '../format';
import { useNow } from '../hooks';
import { Avatar } from './avatar';

export const presenceLabel = (person: Person, now: number): string => {
  if (person.status === 'online') return 'Online';
  if (person.status === 'away') return 'Away';
  return person.lastSeen ? `Offline, last seen ${formatAgo(person.lastSeen, now)}` : 'Offline';
};

export const PeopleList = ({ model }: { model: ChatModel }) => {
  const now = useNow();
  const people = model.people;
  const here = people.filter((person) => person.status !== 'offline').length;
  return (
    <section class="people" aria-labelledby="people-heading">
      <h2 id="people-heading" class="section-heading">
        People <span class="section-count">{here} here</span>
      </h2>
      {model.everConnected && model.connection !== 'connected' && (
        <p class="empty">As of the last connection to the server.</p>
      )}
      {people.length === 0 ? (
        <p class="empty">Nobody yet.</p>
      ) : (
        <ul class="people-list">
          {people.map((person) => (
            <li key={person.id} class="person" data-status={person.status}>
              <Avatar id={person.id} name={person.name} status={person.status} size="small" />
              <span class="person-text">
                <span class="person-name">
                  {person.name}
                  {person.id === model.me.id && <span class="you"> (you)</span>}
                </span>
                <span class="person-status">{presenceLabel(person, now)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
};
