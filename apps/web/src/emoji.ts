/** The reactions the picker offers, with the names screen readers say for them. */
export const QUICK_REACTIONS = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '🎉', name: 'party' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '🙏', name: 'thank you' },
  { emoji: '👀', name: 'eyes' },
] as const;

const NAMES: ReadonlyMap<string, string> = new Map(
  QUICK_REACTIONS.map(({ emoji, name }) => [emoji, name]),
);

/** A name for `emoji` (reactions made elsewhere may be any emoji: those are named by themselves). */
export const emojiName = (emoji: string): string => NAMES.get(emoji) ?? emoji;
