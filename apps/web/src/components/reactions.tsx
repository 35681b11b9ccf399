import { emojiName } from '../emoji';
import { listNames, type ReactionView } from '../message-view';

interface ReactionsProps {
  reactions: readonly ReactionView[];
  tabIndex: number;
  names(ids: readonly string[]): string[];
  onToggle(emoji: string, on: boolean): void;
}

const label = (reaction: ReactionView): string => {
  const people = reaction.count === 1 ? '1 person' : `${reaction.count} people`;
  const state = reaction.pending ? ', saving' : '';
  return `${emojiName(reaction.emoji)}: ${people}${state}`;
};

/** One chip per emoji with its count; pressed when this person reacted, and a click toggles it. */
export const Reactions = ({ reactions, tabIndex, names, onToggle }: ReactionsProps) => (
  // Counts change as people react; the log would read every change aloud.
  // biome-ignore lint/a11y/useSemanticElements: buttons outside any form; a fieldset would announce a form group.
  <div class="reactions" role="group" aria-label="Reactions" aria-live="off">
    {reactions.map((reaction) => {
      const who = names(reaction.users);
      return (
        <button
          key={reaction.emoji}
          type="button"
          class={reaction.pending ? 'reaction pending' : 'reaction'}
          aria-pressed={reaction.mine}
          aria-label={label(reaction)}
          title={
            who.length > 0 ? `${listNames(who, 10)} reacted with ${reaction.emoji}` : undefined
          }
          tabIndex={tabIndex}
          onClick={() => onToggle(reaction.emoji, !reaction.mine)}
        >
          <span class="reaction-emoji" aria-hidden="true">
            {reaction.emoji}
          </span>
          <span class="reaction-count" aria-hidden="true">
            {reaction.count}
          </span>
        </button>
      );
    })}
  </div>
);
