import type { Message } from '@chatter/protocol';
import { useEffect, useRef } from 'preact/hooks';

interface DeleteDialogProps {
  message: Message;
  /** `true` when the person confirmed, `false` when they cancelled (Escape included). */
  onDone(confirmed: boolean): void;
}

const EXCERPT_LENGTH = 80;

const excerpt = (text: string): string => {
  const points = [...text];
  return points.length > EXCERPT_LENGTH ? `${points.slice(0, EXCERPT_LENGTH).join('')}…` : text;
};

/**
 * Asks before deleting a message. A modal `<dialog>`: the page behind it is inert, focus starts
 * on Cancel (the safe choice), and Escape cancels.
 */
export const DeleteDialog = ({ message, onDone }: DeleteDialogProps) => {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const confirmed = useRef(false);
  const answered = useRef(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    element.showModal();
    cancel.current?.focus();
    return () => {
      // Unmounted with the room (not answered): nothing to report.
      answered.current = true;
      if (element.open) element.close();
    };
  }, []);

  const close = (yes: boolean) => {
    confirmed.current = yes;
    dialog.current?.close();
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="delete-title"
      aria-describedby="delete-text"
      // Escape, or `close()` from a button: either way the dialog reports once.
      onClose={() => {
        if (answered.current) return;
        answered.current = true;
        onDone(confirmed.current);
      }}
    >
      <h2 id="delete-title" class="dialog-title">
        Delete this message?
      </h2>
      <p id="delete-text" class="dialog-text">
        “{excerpt(message.text)}” will be removed for everyone in #{message.room}. This cannot be
        undone.
      </p>
      <div class="dialog-actions">
        <button ref={cancel} type="button" class="button" onClick={() => close(false)}>
          Cancel
        </button>
        <button type="button" class="button danger" onClick={() => close(true)}>
          Delete
        </button>
      </div>
    </dialog>
  );
};
