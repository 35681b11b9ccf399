import { type ChatterClient, createGuestSession } from '@chatter/client';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Component, type ReactNode, StrictMode, useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatterProvider,
  useChatter,
  useConnectionStatus,
  usePresence,
  useRoom,
} from '../src/index.js';
import { closeAll, freshRoom, guest, QUICK, renderAs, step } from './support/people.js';
import { ServerProcess } from './support/server-process.js';

const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());
afterEach(closeAll);

const Status = () => <p data-testid="status">{useConnectionStatus()}</p>;

const Composer = ({ name }: { name: string }) => {
  const { room, messages, pending, typingUsers, send } = useRoom(name);
  const [draft, setDraft] = useState('');
  return (
    <section aria-label={room ? 'joined' : 'joining'}>
      <ul data-testid="messages">
        {messages.map((message) => (
          <li key={message.id}>{message.text}</li>
        ))}
      </ul>
      <ul data-testid="pending">
        {pending.map((entry) => (
          <li key={entry.clientId}>
            {entry.text} ({[entry.state, entry.waitingFor].filter(Boolean).join(', ')})
          </li>
        ))}
      </ul>
      <p data-testid="typing">{typingUsers.map((user) => `${user.name} is typing`).join(', ')}</p>
      <input aria-label="draft" value={draft} onChange={(event) => setDraft(event.target.value)} />
      <button type="button" onClick={() => send(draft).catch(() => undefined)}>
        Send
      </button>
    </section>
  );
};

const Presences = ({ ids }: { ids?: string[] }) => {
  const { presence, loading } = usePresence(ids);
  const shown = [...presence.values()].map(({ user, status }) => `${user.name}:${status}`);
  return <p data-testid="presence">{loading ? 'loading' : shown.sort().join(' ')}</p>;
};

let captured: ChatterClient | undefined;
/** Hands the test the client its provider made. */
const Capture = () => {
  captured = useChatter();
  return null;
};

/** Shows what its children threw. */
class Boundary extends Component<{ children: ReactNode }, { message?: string }> {
  override state: { message?: string } = {};
  static getDerivedStateFromError(error: Error) {
    return { message: error.message };
  }
  override render() {
    return this.state.message ? <p role="alert">{this.state.message}</p> : this.props.children;
  }
}
const textOf = (testId: string, root: HTMLElement = document.body) =>
  within(root).getByTestId(testId).textContent;

describe('ChatterProvider', () => {
  it('creates, connects and closes a client from options, once under StrictMode', async () => {
    const { token } = await step(() => createGuestSession(server.url, 'Ada'));
    const view = render(
      <StrictMode>
        <ChatterProvider options={{ url: server.url, token, ...QUICK }}>
          <Status />
          <Capture />
        </ChatterProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(textOf('status')).toBe('connected'));
    view.unmount();
    await waitFor(() => expect(captured?.connectionStatus).toBe('disconnected'));
  });

  it('says clearly when a hook is used outside a provider', async () => {
    render(
      <Boundary>
        <Status />
      </Boundary>,
      { onCaughtError: () => undefined },
    );
    expect((await screen.findByRole('alert')).textContent).toMatch(/inside <ChatterProvider>/);
  });
});

describe('presence and typing', () => {
  it('follows another person online, away and offline', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    renderAs(
      ada,
      <>
        <Composer name={name} />
        <Presences ids={[bob.user.id]} />
      </>,
    );
    // Bob has never connected: the server knows nothing of him yet.
    await waitFor(() => expect(textOf('presence')).toBe(''));
    const bobRoom = await step(() => bob.chat.join(name));
    await waitFor(() => expect(textOf('presence')).toBe('Bob:online'));
    await step(async () => bob.chat.setAway(true));
    await waitFor(() => expect(textOf('presence')).toBe('Bob:away'));

    await step(async () => bobRoom.typing(true));
    await waitFor(() => expect(textOf('typing')).toBe('Bob is typing'));
    await step(async () => bobRoom.typing(false));
    await waitFor(() => expect(textOf('typing')).toBe(''));

    await step(async () => bob.chat.close());
    await waitFor(() => expect(textOf('presence')).toBe('Bob:offline'));
  });

  it('lists everyone online without ids', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(server.url, 'Ada'));
    const bob = await step(() => guest(server.url, 'Bob'));
    renderAs(
      ada,
      <>
        <Composer name={name} />
        <Presences />
      </>,
    );
    await waitFor(() => expect(textOf('presence')).toContain('Ada:online'));
    await step(() => bob.chat.join(name));
    await waitFor(() => expect(textOf('presence')).toContain('Bob:online'));
    await step(async () => bob.chat.close());
    await waitFor(() => expect(textOf('presence')).not.toContain('Bob'));
  });
});

describe('sending while the server is down', () => {
  const own = new ServerProcess();
  beforeAll(() => own.start());
  afterAll(() => own.dispose());

  it('shows the message as pending, then delivers it once', async () => {
    const name = freshRoom();
    const ada = await step(() => guest(own.url, 'Ada'));
    const root = renderAs(
      ada,
      <>
        <Status />
        <Composer name={name} />
      </>,
    ).container;
    await waitFor(() => expect(textOf('status', root)).toBe('connected'));
    await within(root).findByLabelText('joined');
    await step(() => own.stop());
    await waitFor(() => expect(textOf('status', root)).toBe('connecting'));

    fireEvent.change(within(root).getByLabelText('draft'), { target: { value: 'while down' } });
    fireEvent.click(within(root).getByText('Send'));
    await waitFor(() => expect(textOf('pending', root)).toBe('while down (queued, connection)'));
    expect(textOf('messages', root)).toBe('');

    await step(() => own.start());
    await waitFor(() => expect(textOf('messages', root)).toBe('while down'));
    await waitFor(() => expect(textOf('pending', root)).toBe(''));
    expect(textOf('status', root)).toBe('connected');
  });
});
