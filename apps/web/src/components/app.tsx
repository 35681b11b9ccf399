import { useState } from 'preact/hooks';
import { clearSession, loadSession, type Session, saveSession } from '../session';
import { ChatScreen } from './chat-screen';
import { SignIn } from './sign-in';

export const App = () => {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(started) => {
          saveSession(started);
          setNotice(null);
          setSession(started);
        }}
      />
    );
  }
  const end = (reason: string | null) => {
    clearSession();
    setNotice(reason);
    setSession(null);
  };
  return (
    <ChatScreen
      key={session.user.id}
      session={session}
      onSignOut={() => end(null)}
      onSessionEnded={end}
    />
  );
};
