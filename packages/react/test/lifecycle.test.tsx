import { render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatterProvider, useReadState, useRoom } from '../src/index.js';
import { closeAll, freshRoom, guest, type Person, renderAs, step } from './support/people.js';
import { ServerProcess } from './support/server-process.js';
import { track } from './support/tracking.js';

const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());
afterEach(closeAll);

const Texts = ({ name, leave = false }: { name: string; leave?: boolean }) => {
  const { messages, error } = useRoom(name, { leaveOnUnmount: leave });
  return (
    <ul aria-label="messages">
      {error && <li role="alert">{error.code}</li>}
      {messages.map((message) => (
        <li key={message.id}>{message.text}</li>
      ))}
    </ul>
  );
};

let renders = 0;
/** Reads every getter-backed value and counts its renders. */
const Counted = ({ name }: { name: string }) => {
  const { room, messages, pending, typingUsers } = useRoom(name);
  const { readPositions, unreadCount } = useReadState(room);
  renders += 1;
  return (
    <p data-testid="counts">
      {messages.length} {pending.length} {typingUsers.length} {readPositions.size} {unreadCount}
    </p>
  );
};
const texts = () =>
  Array.from(screen.getByLabelText('messages').querySelectorAll('li'), (item) => item.textContent);

const joinedNames = (person: Person) => person.chat.joinedRooms.map((room) => room.name);

describe('joining and leaving', () => {
  it('shows the new room’s messages only, when the name changes before the first join is done', async () => {
    const [first, second] = [freshRoom(), freshRoom()];
    await step(() => server.post(first, 'in the first room'));
    await step(() => server.post(second, 'in the second room'));
    const ada = await step(() => guest(server.url, 'Ada'));
    const counts = track(ada.chat);
    const view = renderAs(ada, <Texts name={first} />);
    view.rerender(
      <ChatterProvider client={ada.chat}>
        <Texts name={second} />
      </ChatterProvider>,
    );
    await waitFor(() => expect(texts()).toEqual(['in the second room']));
    // The first join still completes (the room stays joined: no leaveOnUnmount) and must not
    // show up here, nor must what arrives in it later: a message in the first room, then one
    // in the second as a barrier.
    await waitFor(() => expect(joinedNames(ada)).toContain(first));
    await step(() => server.post(first, 'later in the first room'));
    await step(() => server.post(second, 'barrier'));
    await waitFor(() => expect(texts()).toEqual(['in the second room', 'barrier']));
    view.unmount();
    expect(counts.listeners()).toBe(0);
  });

  it('leaves nothing behind when unmounted before the join resolves', async () => {
    const [kept, left] = [freshRoom(), freshRoom()];
    const ada = await step(() => guest(server.url, 'Ada'));
    const counts = track(ada.chat);
    renderAs(ada, <Texts name={kept} />).unmount();
    renderAs(ada, <Texts name={left} leave />).unmount();
    // Both joins were on their way; each completes, and the one that asked to leave is left.
    await waitFor(() => expect(joinedNames(ada)).toEqual([kept]));
    expect(counts.joins()).toBe(2);
    expect(counts.listeners()).toBe(0);
    const listed = await step(() => ada.chat.rooms());
    expect(listed.map((summary) => summary.room)).toEqual([kept]);
  });

  it('joins once under StrictMode, stays joined while mounted and cleans up on unmount', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    const counts = track(ada.chat);
    const view = render(
      <StrictMode>
        <ChatterProvider client={ada.chat}>
          <Texts name={name} leave />
          <Texts name={name} leave />
        </ChatterProvider>
      </StrictMode>,
    );
    const bobRoom = await step(() => bob.chat.join(name));
    await step(() => bobRoom.send('hello'));
    await waitFor(() =>
      expect(screen.getAllByText('hello').map((item) => item.textContent)).toHaveLength(2),
    );
    expect(counts.joins()).toBe(1);
    expect(joinedNames(ada)).toEqual([name]);
    view.unmount();
    expect(counts.listeners()).toBe(0);
    await waitFor(() => expect(joinedNames(ada)).toEqual([]));
  });

  it('joins again when the app leaves a room a component still shows', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const counts = track(ada.chat);
    const view = renderAs(ada, <Texts name={name} />);
    await waitFor(() => expect(joinedNames(ada)).toEqual([name]));
    const room = await step(() => ada.chat.join(name));
    await step(() => room.leave());
    await step(() => server.post(name, 'after the leave'));
    await waitFor(() => expect(texts()).toEqual(['after the leave']));
    expect(joinedNames(ada)).toEqual([name]);
    view.unmount();
    expect(counts.listeners()).toBe(0);
  });

  it('shows why a join failed', async () => {
    const ada = await step(() => guest(server.url, 'Ada'));
    renderAs(ada, <Texts name="no spaces allowed!" />);
    expect((await screen.findByRole('alert')).textContent).toBe('VALIDATION');
  });

  it('renders a bounded number of times as messages arrive (the getters are stable)', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    renders = 0;
    renderAs(ada, <Counted name={name} />);
    await waitFor(() => expect(joinedNames(ada)).toEqual([name]));
    const bobRoom = await step(() => bob.chat.join(name));
    for (let i = 1; i <= 20; i++) await step(() => bobRoom.send(`m${i}`));
    await waitFor(() => expect(screen.getByTestId('counts').textContent).toMatch(/^20 0 0 /));
    const settled = renders;
    // About one render per message (each is a `change`), never a loop.
    expect(settled).toBeLessThanOrEqual(2 * 20 + 10);
    await step(() => bobRoom.send('one more'));
    await waitFor(() => expect(screen.getByTestId('counts').textContent).toMatch(/^21 /));
    expect(renders - settled).toBeLessThanOrEqual(3);
  });
});
