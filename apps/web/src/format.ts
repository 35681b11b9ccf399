import { RoomNameSchema } from '@chatter/protocol';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
});
const dayWithYearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatTime = (iso: string): string => timeFormat.format(new Date(iso));

export const formatFullDate = (iso: string): string => fullFormat.format(new Date(iso));

const startOfDay = (date: Date): number =>
  new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();

/** A stable key for the local calendar day of `iso`, for day separators. */
export const dayKey = (iso: string): number => startOfDay(new Date(iso));

export const formatDay = (iso: string, now = new Date()): string => {
  const date = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
  if (days === 0 || days === 1) {
    const label = relative.format(-days, 'day');
    return label.charAt(0).toUpperCase() + label.slice(1);
  }
  return date.getFullYear() === now.getFullYear()
    ? dayFormat.format(date)
    : dayWithYearFormat.format(date);
};

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "just now", "5 minutes ago", "yesterday", … */
export const formatAgo = (iso: string, now = Date.now()): string => {
  const elapsed = now - Date.parse(iso);
  if (elapsed < 60_000) return 'just now';
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return relative.format(-Math.floor(elapsed / size), unit);
  }
  return 'just now';
};

/**
 * What a person typed into "join a room", as a room name: `#Design Team` becomes `design-team`.
 * `null` when no valid name comes out of it.
 */
export const toRoomName = (input: string): string | null => {
  const name = input.trim().replace(/^#+/, '').toLowerCase().replace(/\s+/g, '-');
  return RoomNameSchema.safeParse(name).success ? name : null;
};
