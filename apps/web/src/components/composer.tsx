import { LIMITS, MessageTextSchema, type ReplyTo } from '@chatter/protocol';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { QuoteText } from './reply-quote';

/** Unsent text per room, kept while the person looks at another room. */
const drafts = new Map<string, string>();

/** The remaining-characters counter appears this close to the limit. */
const COUNTER_FROM = 500;

interface ComposerProps {
  room: string;
  /** False until the room has joined (the SDK sends through a joined room). */
  ready: boolean;
  /** A failed message the person chose to edit: its text replaces the box's. */
  edit: { text: string } | null;
  /** The message being replied to, quoted above the box until sent or cancelled. */
  replyTo: ReplyTo | null;
  onCancelReply(): void;
  /** ArrowUp in the empty box: edit this person's last message; `false` if there is none. */
  onEditLast(): boolean;
  onSend(text: string): void;
  onTyping(typing: boolean): void;
}

const codePoints = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

export const Composer = ({
  room,
  ready,
  edit,
  replyTo,
  onCancelReply,
  onEditLast,
  onSend,
  onTyping,
}: ComposerProps) => {
  const [text, setText] = useState(() => drafts.get(room) ?? '');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (edit === null) return;
    setText(edit.text);
    box.current?.focus();
  }, [edit]);

  useEffect(() => {
    drafts.set(room, text);
  }, [room, text]);

  // Ready to type once the room has joined, unless the person is busy elsewhere on the page.
  useEffect(() => {
    if (ready && (document.activeElement === document.body || document.activeElement === null)) {
      box.current?.focus();
    }
  }, [ready]);

  // Grows with its text up to the CSS max-height (browsers with `field-sizing` do it in CSS).
  useLayoutEffect(() => {
    const element = box.current;
    if (!element || CSS.supports('field-sizing', 'content')) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  }, [text]);

  const submit = () => {
    if (!ready || text.trim() === '') return;
    const parsed = MessageTextSchema.safeParse(text);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'This message cannot be sent');
      return;
    }
    onSend(text);
    setText('');
    setError(null);
  };

  const remaining = LIMITS.messageTextMaxLength - codePoints(text);
  const describedBy = [replyTo && 'composer-reply', 'composer-help', error && 'composer-error'];
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label for="composer" class="sr-only">
        Message
      </label>
      {replyTo && (
        <div class="reply-preview">
          <p id="composer-reply" class="reply-preview-text">
            <QuoteText quote={replyTo} prefix="Replying to" />
          </p>
          <button
            type="button"
            class="button ghost small"
            onClick={() => {
              onCancelReply();
              box.current?.focus();
            }}
          >
            Cancel reply
          </button>
        </div>
      )}
      <div class="composer-box">
        <textarea
          id="composer"
          ref={box}
          rows={1}
          value={text}
          disabled={!ready}
          placeholder={ready ? `Message #${room}` : `Joining #${room}…`}
          aria-describedby={describedBy.filter(Boolean).join(' ')}
          aria-invalid={error ? 'true' : undefined}
          onInput={(event) => {
            const value = event.currentTarget.value;
            setText(value);
            setError(null);
            onTyping(value.trim() !== '');
          }}
          onKeyDown={(event) => {
            const plain = !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
            if (event.key === 'Escape' && replyTo) {
              event.preventDefault();
              onCancelReply();
              return;
            }
            if (event.key === 'ArrowUp' && plain && text === '' && !event.isComposing) {
              if (onEditLast()) event.preventDefault();
              return;
            }
            // Enter while an input method is composing (Japanese, Chinese, …) picks a candidate.
            if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
            event.preventDefault();
            submit();
          }}
          onBlur={() => onTyping(false)}
        />
        <button
          type="submit"
          class="send-button"
          aria-label="Send"
          disabled={!ready || text.trim() === ''}
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M3 20.5 21 12 3 3.5l2.5 7.2L14 12l-8.5 1.3z" fill="currentColor" />
          </svg>
        </button>
      </div>
      <div class="composer-footer">
        <p id="composer-help" class="hint">
          <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line,{' '}
          <kbd>
            <span aria-hidden="true">↑</span>
            <span class="sr-only">Up arrow</span>
          </kbd>{' '}
          to edit your last message
        </p>
        {remaining < COUNTER_FROM && (
          <p class={remaining < 0 ? 'counter over' : 'counter'} aria-live="polite">
            {remaining < 0
              ? `${-remaining} characters over the limit`
              : `${remaining} characters left`}
          </p>
        )}
      </div>
      {error && (
        <p id="composer-error" class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
};
