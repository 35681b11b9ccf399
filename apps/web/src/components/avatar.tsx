import type { PresenceStatus } from '@chatter/protocol';

const TONES = 8;

/** The same person gets the same colour on every screen. */
const toneOf = (id: string): number => {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % TONES;
};

const initialsOf = (name: string): string => {
  const words = name.trim().split(/\s+/u);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [name.trim()];
  return letters
    .map((word) => [...(word ?? '')][0] ?? '')
    .join('')
    .toUpperCase();
};

interface AvatarProps {
  id: string;
  name: string;
  status?: PresenceStatus | undefined;
  size?: 'small' | 'large';
}

/** Decorative: the name and status are always written out next to it. */
export const Avatar = ({ id, name, status, size = 'large' }: AvatarProps) => (
  <span class={`avatar avatar-${size}`} data-tone={toneOf(id)} aria-hidden="true">
    {initialsOf(name)}
    {status && <span class="presence-dot" data-status={status} />}
  </span>
);
