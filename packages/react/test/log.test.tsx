import { createChatterClient, type Message, type Room } from '@chatter/client';
import { fireEvent, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useMessageActions, useReadState, useRoom, useUnreadCounts } from '../src/index.js';
import { closeAll, freshRoom, guest, renderAs, step } from './support/people.js';
import { ServerProcess } from './support/server-process.js';

const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());
const cleanups: Array<() => void> = [];
const onCleanup = (cleanup: () => void) => cleanups.push(cleanup);
afterEach(() => {
  closeAll();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const Row = ({ room, message }: { room: Room | null; message: Message }) => {
  const { edit, remove, toggleReaction, reply } = useMessageActions(room);
  const { readBy } = useReadState(room);
  const reactions = (message.reactions ?? []).map((r) => `${r.emoji}${r.count}`).join(' ');
  const quote = message.replyTo ? `[re: ${message.replyTo.excerpt}] ` : '';
  const text = message.deletedAt ? '(deleted)' : message.text;
  const edited = message.editedAt && !message.deletedAt ? ' (edited)' : '';
  return (
    <li aria-label={`#${message.seq}`}>
      <span>
        {quote}
        {text}
        {edited} {reactions}
      </span>
      <small data-testid="seen by">{readBy(message.id).length}</small>
      <button type="button" onClick={() => edit(message.id, `${message.text}!`)}>
        edit
      </button>
      <button type="button" onClick={() => remove(message.id)}>
        delete
      </button>
      <button type="button" onClick={() => toggleReaction(message, '👍')}>
        like
      </button>
      <button type="button" onClick={() => reply(message.id, 'answer')}>
        reply
      </button>
    </li>
  );
};

const Log = ({ name }: { name: string }) => {
  const { room, messages } = useRoom(name);
  const { unreadCount, markRead } = useReadState(room);
  return (
    <section>
      <p data-testid="unread">{unreadCount}</p>
      <button type="button" onClick={() => markRead()}>
        mark read
      </button>
      <ul>
        {messages.map((message) => (
          <Row key={message.id} room={room} message={message} />
        ))}
      </ul>
    </section>
  );
};

const Rooms = ({ join = false }: { join?: boolean }) => {
  const { rooms, total } = useUnreadCounts({ joinRooms: join });
  return (
    <p data-testid="rooms">
      {rooms.map(({ room, unread }) => `${room}:${unread}`).join(' ')} total:{total}
    </p>
  );
};

const line = (root: HTMLElement, seq: number) =>
  within(root).getByLabelText(`#${seq}`).querySelector('span')?.textContent?.trim();

describe('edits, deletions, reactions and replies', () => {
  it('shows each change made by one person to the other, live', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    const adaView = renderAs(ada, <Log name={name} />).container;
    const bobView = renderAs(bob, <Log name={name} />).container;
    const adaRoom = await step(() => ada.chat.join(name));
    await step(() => bob.chat.join(name));
    await step(() => adaRoom.send('lunch?'));
    await waitFor(() => expect(line(bobView, 1)).toBe('lunch?'));

    fireEvent.click(within(within(adaView).getByLabelText('#1')).getByText('edit'));
    await waitFor(() => expect(line(bobView, 1)).toBe('lunch?! (edited)'));
    fireEvent.click(within(within(bobView).getByLabelText('#1')).getByText('like'));
    await waitFor(() => expect(line(adaView, 1)).toBe('lunch?! (edited) 👍1'));
    fireEvent.click(within(within(bobView).getByLabelText('#1')).getByText('reply'));
    // The edit and the reaction took seqs 2 and 3: the reply is the log's fourth entry.
    await waitFor(() => expect(line(adaView, 4)).toBe('[re: lunch?!] answer'));
    fireEvent.click(within(within(bobView).getByLabelText('#1')).getByText('like'));
    await waitFor(() => expect(line(adaView, 1)).toBe('lunch?! (edited)'));
    fireEvent.click(within(within(adaView).getByLabelText('#1')).getByText('delete'));
    await waitFor(() => expect(line(bobView, 1)).toBe('(deleted)'));
    await waitFor(() => expect(line(bobView, 4)).toBe('[re: ] answer'));
  });
});

describe('read state and unread counts', () => {
  it('counts unread messages live, clears them with markRead, and shows who read', async () => {
    const [here, there] = [freshRoom(), freshRoom()];
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    // Ada's phone joined \`there\`: the server lists it for her on every device.
    const phone = await step(async () => {
      const chat = createChatterClient({ url: server.url, token: await server.token(ada.user) });
      return { chat, room: await chat.join(there) };
    });
    onCleanup(() => phone.chat.close());
    const list = renderAs(ada, <Rooms join />).container;
    const adaView = renderAs(ada, <Log name={here} />).container;
    const rooms = () => within(list).getByTestId('rooms').textContent ?? '';
    await waitFor(() => expect(rooms()).toContain(`${here}:0`));
    await waitFor(() => expect(rooms()).toContain(`${there}:0`));
    const bobHere = await step(() => bob.chat.join(here));
    const bobThere = await step(() => bob.chat.join(there));

    await step(() => bobHere.send('one'));
    await step(() => bobHere.send('two'));
    await step(() => bobThere.send('elsewhere'));
    await waitFor(() => expect(rooms()).toContain(`${here}:2`));
    await waitFor(() => expect(rooms()).toContain(`${there}:1`));
    expect(rooms()).toContain('total:3');
    expect(within(adaView).getByTestId('unread').textContent).toBe('2');

    fireEvent.click(within(adaView).getByText('mark read'));
    await waitFor(() => expect(rooms()).toContain(`${here}:0`));
    expect(within(adaView).getByTestId('unread').textContent).toBe('0');
    // Read on the phone: the count here clears too.
    await step(() => phone.room.markRead());
    await waitFor(() => expect(rooms()).toContain('total:0'));

    // Bob reads Ada's message: "seen by" on Ada's side.
    const adaRoom = await step(() => ada.chat.join(here));
    const mine = await step(() => adaRoom.send('read me'));
    await waitFor(() => expect(bobHere.messages.at(-1)?.id).toBe(mine.id));
    await step(() => bobHere.markRead());
    await waitFor(() =>
      expect(
        within(within(adaView).getByLabelText(`#${mine.seq}`)).getByTestId('seen by').textContent,
      ).toBe('1'),
    );

    // A room joined through the SDK itself is listed with a live count too.
    const third = freshRoom();
    await step(() => ada.chat.join(third));
    const bobThird = await step(() => bob.chat.join(third));
    await step(() => bobThird.send('over here'));
    await waitFor(() => expect(rooms()).toContain(`${third}:1`));
  });
});
