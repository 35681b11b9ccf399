import { describe, expect, it, vi } from 'vitest';
import { EmojiSchema, isEmoji, LIMITS } from './index.js';

const ACCEPTED = [
  ['a thumbs up', '👍'],
  ['a heart with its emoji variation selector', '❤️'],
  ['a flag (two regional indicators)', '🇫🇷'],
  ['a ZWJ sequence with a skin tone', '👩🏽‍💻'],
  ['a keycap digit', '1️⃣'],
  ['a keycap asterisk', '*️⃣'],
  ['a keycap number sign', '#️⃣'],
  ['a hand with a skin tone', '👍🏽'],
  ['a family', '👨‍👩‍👧‍👦'],
  ['a subdivision flag (tag sequence, 14 units)', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
  ['a kiss with two skin tones (15 units)', '🧑🏻‍❤️‍💋‍🧑🏼'],
] as const;

const REFUSED = [
  ['empty', ''],
  ['a letter', 'a'],
  ['a number sign alone', '#'],
  ['a digit alone', '1'],
  ['two emoji', '👍👍'],
  ['two flags', '🇫🇷🇩🇪'],
  ['a letter before an emoji', 'x👍'],
  ['an emoji before a letter', '👍x'],
  ['a skin tone alone', '🏽'],
  ['two skin tones', '🏽🏽'],
  ['a space', ' '],
  ['a newline', '\n'],
  ['a no-break space', '\u00a0'],
  ['an emoji with a leading space', ' 👍'],
  ['an emoji with a trailing newline', '👍\n'],
  ['a zero-width joiner alone', '\u200d'],
  ['a variation selector alone', '\ufe0f'],
  ['a lone high surrogate', '\ud83d'],
  ['a lone low surrogate', '\udc4d'],
  ['an emoji missing half of its pair', '👍'.slice(0, 1)],
  ['a shortcode', ':+1:'],
  ['an emoticon', '<3'],
  ['forty UTF-16 units of emoji', '👍'.repeat(20)],
] as const;

// Pictographs joined by zero-width joiners make one grapheme however many there are.
const zwjChain = (pictographs: number): string => Array(pictographs).fill('👍').join('\u200d');

describe('isEmoji and EmojiSchema', () => {
  it.each(ACCEPTED)('accept %s', (_, emoji) => {
    expect(isEmoji(emoji)).toBe(true);
    expect(EmojiSchema.parse(emoji)).toBe(emoji);
  });

  it.each(REFUSED)('refuse %s', (_, value) => {
    expect(isEmoji(value)).toBe(false);
    expect(EmojiSchema.safeParse(value).success).toBe(false);
  });

  it(`refuse one grapheme longer than ${LIMITS.emojiMaxLength} UTF-16 units`, () => {
    const long = `${zwjChain(13)}\ufe0f`; // 13 × 2 + 12 + 1 = 39 units
    const longer = `${long}\ufe0f`;
    expect(longer.length).toBe(40);
    expect([
      ...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(longer),
    ]).toHaveLength(1);
    expect(isEmoji(longer)).toBe(false);
    expect(EmojiSchema.safeParse(longer).error?.issues[0]?.message).toBe(
      `A reaction is one emoji of at most ${LIMITS.emojiMaxLength} UTF-16 units`,
    );
  });

  it('refuse a long string without reading it all', () => {
    expect(isEmoji('👍'.repeat(100_000))).toBe(false);
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['undefined', undefined],
    ['an operator object', { $ne: '👍' }],
    ['an array', ['👍']],
  ])('refuse %s', (_, value) => {
    expect(isEmoji(value)).toBe(false);
    expect(EmojiSchema.safeParse(value).success).toBe(false);
  });

  it('still accept every emoji where Intl.Segmenter is missing (browsers before 2023)', async () => {
    const native = Object.getOwnPropertyDescriptor(Intl, 'Segmenter');
    expect(native).toBeDefined();
    Reflect.deleteProperty(Intl, 'Segmenter');
    try {
      vi.resetModules();
      const fallback = await import('./primitives.js');
      for (const [, emoji] of ACCEPTED) expect(fallback.isEmoji(emoji)).toBe(true);
      // Without grapheme segmentation a run of several emoji gets through; text never does.
      const runs: readonly string[] = ['👍👍', '🇫🇷🇩🇪'];
      for (const [, value] of REFUSED) {
        if (!runs.includes(value)) expect(fallback.isEmoji(value)).toBe(false);
      }
    } finally {
      Object.defineProperty(Intl, 'Segmenter', native as PropertyDescriptor);
    }
  });
});
