import { MessageTextSchema } from '@chatter/protocol';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

interface MessageEditorProps {
  id: string;
  initial: string;
  onSave(text: string): void;
  onCancel(): void;
}

/** Edits a message in place: Enter saves, Shift+Enter starts a new line, Escape cancels. */
export const MessageEditor = ({ id, initial, onSave, onCancel }: MessageEditorProps) => {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const boxId = `edit-${id}`;

  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
  }, []);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element || CSS.supports('field-sizing', 'content')) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  }, [text]);

  const save = () => {
    if (text === initial) {
      onCancel();
      return;
    }
    if (text.trim() === '') {
      setError('A message cannot be empty. To remove it, delete it instead.');
      return;
    }
    const parsed = MessageTextSchema.safeParse(text);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'This text cannot be saved');
      return;
    }
    onSave(text);
  };

  return (
    <form
      class="message-editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <label for={boxId} class="sr-only">
        Edit message
      </label>
      <textarea
        id={boxId}
        ref={box}
        rows={1}
        value={text}
        aria-describedby={error ? `${boxId}-help ${boxId}-error` : `${boxId}-help`}
        aria-invalid={error ? 'true' : undefined}
        onInput={(event) => {
          setText(event.currentTarget.value);
          setError(null);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
            return;
          }
          // The list's arrow keys move between messages; in here they move the caret.
          if (event.key.startsWith('Arrow') || event.key === 'Home' || event.key === 'End') {
            event.stopPropagation();
          }
          if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
          event.preventDefault();
          save();
        }}
      />
      <div class="editor-footer">
        <p id={`${boxId}-help`} class="hint">
          <kbd>Enter</kbd> to save, <kbd>Escape</kbd> to cancel
        </p>
        <span class="editor-buttons">
          <button type="button" class="button ghost small" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="button primary small">
            Save
          </button>
        </span>
      </div>
      {error && (
        <p id={`${boxId}-error`} class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
};
