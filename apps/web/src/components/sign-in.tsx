import { createGuestSession } from '@chatter/client';
import { DisplayNameSchema } from '@chatter/protocol';
import { useState } from 'preact/hooks';
import { lastUsedName, type Session } from '../session';
import { describeError } from '../text';
import { Logo } from './logo';

interface SignInProps {
  /** Why the person is here again (their session ended), if they were signed in before. */
  notice: string | null;
  onSignedIn(session: Session): void;
}

export const SignIn = ({ notice, onSignedIn }: SignInProps) => {
  const [name, setName] = useState(lastUsedName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const parsed = DisplayNameSchema.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Enter a display name');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await createGuestSession(window.location.origin, parsed.data));
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <div class="sign-in-card">
        <div class="sign-in-brand">
          <Logo />
          <h1>Chatter</h1>
        </div>
        <p class="lead">
          Pick a display name and you are in <strong>#general</strong>.
        </p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <label for="name">Name</label>
          <input
            id="name"
            name="name"
            type="text"
            autocomplete="nickname"
            spellcheck={false}
            required
            // biome-ignore lint/a11y/noAutofocus: the name is the only thing on this screen.
            autoFocus
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'name-hint name-error' : 'name-hint'}
          />
          <p id="name-hint" class="hint">
            Others see it next to your messages. Each browser tab is its own person: open another
            tab to chat with yourself.
          </p>
          {error && (
            <p id="name-error" class="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Joining…' : 'Start chatting'}
          </button>
        </form>
      </div>
    </main>
  );
};
