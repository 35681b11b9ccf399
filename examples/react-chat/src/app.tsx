import { createGuestSession, isChatterError, type User } from '@chatter/client';
import { ChatterProvider } from '@chatter/react';
import { type FormEvent, useState } from 'react';
import { Chat } from './chat.js';

/** The Chatter server; set VITE_CHATTER_URL when it is not on localhost:3000. */
const SERVER_URL = import.meta.env.VITE_CHATTER_URL ?? 'http://localhost:3000';

interface Session {
  token: string;
  user: User;
}

/** Guest sign-in, then the chat with a client the provider creates, connects and closes. */
export const App = () => {
  const [session, setSession] = useState<Session | null>(null);
  if (!session) return <SignIn onSignedIn={setSession} />;
  return (
    <ChatterProvider key={session.token} options={{ url: SERVER_URL, token: session.token }}>
      <Chat user={session.user} onSignOut={() => setSession(null)} />
    </ChatterProvider>
  );
};

const SignIn = ({ onSignedIn }: { onSignedIn: (session: Session) => void }) => {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onSignedIn(await createGuestSession(SERVER_URL, name.trim()));
    } catch (error) {
      setProblem(isChatterError(error) ? error.message : String(error));
      setBusy(false);
    }
  };
  return (
    <form className="sign-in" onSubmit={submit}>
      <h1>React chat</h1>
      <label>
        Your name
        <input value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <button type="submit" disabled={busy || name.trim() === ''}>
        Join as guest
      </button>
      {problem && <p role="alert">{problem}</p>}
    </form>
  );
};
