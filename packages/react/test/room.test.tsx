import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useRoom } from '../src/index.js';
import { closeAll, freshRoom, guest, renderAs, step } from './support/people.js';
import { ServerProcess } from './support/server-process.js';

const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());
afterEach(closeAll);

/** A small chat view: what the README shows, with test ids to read it by. */
const RoomView = ({ name }: { name: string }) => {
  const { room, messages, pending, send, hasMore, loadOlder, loadingOlder, error } = useRoom(name);
  const [draft, setDraft] = useState('');
  return (
    <section aria-label={room ? 'joined' : 'joining'}>
      {error && <p role="alert">{error.code}</p>}
      {hasMore && (
        <button type="button" disabled={loadingOlder} onClick={() => loadOlder()}>
          Older
        </button>
      )}
      <ul aria-label="messages">
        {messages.map((message) => (
          <li key={message.id}>
            {message.author.name}: {message.text}
          </li>
        ))}
      </ul>
      <ul aria-label="pending">
        {pending.map((entry) => (
          <li key={entry.clientId}>
            {entry.text} ({entry.state})
          </li>
        ))}
      </ul>
      <input aria-label="draft" value={draft} onChange={(event) => setDraft(event.target.value)} />
      <button
        type="button"
        onClick={() => {
          send(draft).catch(() => undefined);
          setDraft('');
        }}
      >
        Send
      </button>
    </section>
  );
};

const typeAndSend = (root: HTMLElement, text: string) => {
  fireEvent.change(within(root).getByLabelText('draft'), { target: { value: text } });
  fireEvent.click(within(root).getByText('Send'));
};

const messagesOf = (root: HTMLElement) =>
  Array.from(
    within(root).getByLabelText('messages').querySelectorAll('li'),
    (item) => item.textContent,
  );

describe('useRoom', () => {
  it('shows two people each other’s messages live', async () => {
    const name = freshRoom();
    const ada = await guest(server.url, 'Ada');
    const bob = await guest(server.url, 'Bob');
    const adaView = renderAs(ada, <RoomView name={name} />).container;
    const bobView = renderAs(bob, <RoomView name={name} />).container;
    await within(adaView).findByLabelText('joined');
    await within(bobView).findByLabelText('joined');

    typeAndSend(adaView, 'hello Bob');
    await waitFor(() => expect(messagesOf(bobView)).toEqual(['Ada: hello Bob']));
    typeAndSend(bobView, 'hi Ada');
    await waitFor(() => expect(messagesOf(adaView)).toEqual(['Ada: hello Bob', 'Bob: hi Ada']));
    expect(messagesOf(bobView)).toEqual(['Ada: hello Bob', 'Bob: hi Ada']);
    await waitFor(() => expect(within(adaView).getByLabelText('pending').children).toHaveLength(0));
  });

  it('pages older history into messages with loadOlder', async () => {
    const name = freshRoom();
    await step(async () => {
      for (let i = 1; i <= 130; i++) await server.post(name, `m${i}`);
    });
    const ada = await step(() => guest(server.url, 'Ada'));
    const view = renderAs(ada, <RoomView name={name} />).container;
    await waitFor(() => expect(messagesOf(view)).toHaveLength(100));
    expect(messagesOf(view)[0]).toBe('Poster: m31');

    fireEvent.click(within(view).getByText('Older'));
    await waitFor(() => expect(messagesOf(view)).toHaveLength(130));
    expect(messagesOf(view)[0]).toBe('Poster: m1');
    expect(within(view).queryByText('Older')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
