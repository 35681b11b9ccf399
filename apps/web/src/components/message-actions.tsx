import type { Message } from '@chatter/protocol';
import { useEffect, useRef } from 'preact/hooks';
import { QUICK_REACTIONS } from '../emoji';
import type { ReactionView } from '../message-view';
import type { RowActions } from './message-row';

interface MessageActionsProps {
  message: Message;
  mine: boolean;
  reactions: readonly ReactionView[];
  /** The emoji picker is open. */
  picking: boolean;
  tabIndex: number;
  actions: RowActions;
}

/**
 * React, reply, and for this person's own messages edit and delete. Shown on hover and while
 * anything in the message has focus; always in the accessibility tree.
 */
export const MessageActions = ({
  message,
  mine,
  reactions,
  picking,
  tabIndex,
  actions,
}: MessageActionsProps) => {
  const trigger = useRef<HTMLButtonElement>(null);
  const pickerId = `picker-${message.id}`;
  const close = (returnFocus: boolean) => {
    actions.pick(null);
    if (returnFocus) trigger.current?.focus();
  };
  return (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: buttons outside any form; a fieldset would announce a form group. */}
      <div
        class={picking ? 'message-actions open' : 'message-actions'}
        role="group"
        aria-label={`Actions for the message from ${message.author.name}`}
      >
        <button
          ref={trigger}
          type="button"
          class="action-button"
          aria-label="Add reaction"
          title="Add reaction"
          aria-haspopup="menu"
          aria-expanded={picking}
          aria-controls={picking ? pickerId : undefined}
          tabIndex={tabIndex}
          onClick={() => actions.pick(picking ? null : message.id)}
        >
          <Icon path={SMILE} />
        </button>
        <button
          type="button"
          class="action-button"
          aria-label="Reply"
          title="Reply"
          tabIndex={tabIndex}
          onClick={() => actions.reply(message)}
        >
          <Icon path={REPLY} />
        </button>
        {mine && (
          <>
            <button
              type="button"
              class="action-button"
              aria-label="Edit"
              title="Edit"
              tabIndex={tabIndex}
              onClick={() => actions.startEdit(message.id)}
            >
              <Icon path={PENCIL} />
            </button>
            <button
              type="button"
              class="action-button danger"
              aria-label="Delete"
              title="Delete"
              tabIndex={tabIndex}
              onClick={() => actions.askDelete(message)}
            >
              <Icon path={TRASH} />
            </button>
          </>
        )}
      </div>
      {picking && (
        <EmojiPicker
          id={pickerId}
          reactions={reactions}
          trigger={trigger}
          onPick={(emoji, on) => {
            actions.react(message, emoji, on);
            close(true);
          }}
          onClose={close}
        />
      )}
    </>
  );
};

interface EmojiPickerProps {
  id: string;
  reactions: readonly ReactionView[];
  trigger: { current: HTMLButtonElement | null };
  onPick(emoji: string, on: boolean): void;
  /** Escape returns focus to the trigger; leaving the menu otherwise does not move it. */
  onClose(returnFocus: boolean): void;
}

const NEXT_KEYS = new Set(['ArrowRight', 'ArrowDown']);
const PREVIOUS_KEYS = new Set(['ArrowLeft', 'ArrowUp']);

/** A menu of common emoji: arrow keys move, Enter or Space picks, Escape closes. */
const EmojiPicker = ({ id, reactions, trigger, onPick, onClose }: EmojiPickerProps) => {
  const menu = useRef<HTMLDivElement>(null);
  const items = (): HTMLElement[] => [
    ...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitemcheckbox"]') ?? []),
  ];
  useEffect(() => {
    items()[0]?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    let next: number | null = null;
    if (NEXT_KEYS.has(event.key)) next = (at + 1) % list.length;
    else if (PREVIOUS_KEYS.has(event.key)) next = (at - 1 + list.length) % list.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = list.length - 1;
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose(true);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    // The list's own arrow keys (moving between messages) must not see these.
    event.stopPropagation();
    for (const [index, item] of list.entries()) item.tabIndex = index === next ? 0 : -1;
    list[next]?.focus();
  };

  return (
    <div
      ref={menu}
      id={id}
      class="emoji-picker"
      role="menu"
      aria-label="Add a reaction"
      aria-orientation="horizontal"
      onKeyDown={onKeyDown}
      onFocusOut={(event) => {
        const to = event.relatedTarget as Node | null;
        if (to && (menu.current?.contains(to) || trigger.current === to)) return;
        onClose(false);
      }}
    >
      {QUICK_REACTIONS.map(({ emoji, name }, index) => {
        const mine = reactions.some((reaction) => reaction.emoji === emoji && reaction.mine);
        return (
          <button
            key={emoji}
            type="button"
            class="emoji-option"
            role="menuitemcheckbox"
            aria-checked={mine}
            aria-label={name}
            title={name}
            tabIndex={index === 0 ? 0 : -1}
            onClick={() => onPick(emoji, !mine)}
          >
            <span aria-hidden="true">{emoji}</span>
          </button>
        );
      })}
    </div>
  );
};

const SMILE =
  'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm-3.5-7.5s1.2 2 3.5 2 3.5-2 3.5-2M9 9.5h.01M15 9.5h.01';
const REPLY = 'M10 8 5 12.5 10 17M5.5 12.5H14a5 5 0 0 1 5 5V19';
const PENCIL = 'M4 20h4L19 9l-4-4L4 16v4Zm9-13 4 4';
const TRASH = 'M5 7h14M10 7V5h4v2M7 7l1 12h8l1-12M10.5 11v5M13.5 11v5';

const Icon = ({ path }: { path: string }) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    <path
      d={path}
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
    />
  </svg>
);
