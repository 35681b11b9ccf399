/** The row of the stored message `id` in the list, if it is rendered. */
export const rowOf = (list: HTMLElement | null, id: string): HTMLElement | null =>
  list?.querySelector<HTMLElement>(`li[data-message-id="${CSS.escape(id)}"]`) ?? null;

export const focusComposer = (): void => document.getElementById('composer')?.focus();

const MOVES: Record<string, (at: number, count: number) => number> = {
  ArrowUp: (at) => at - 1,
  ArrowDown: (at) => at + 1,
  Home: () => 0,
  End: (_, count) => count - 1,
};

/**
 * Arrow keys, Home and End on a focused message move focus to another message: the list is one
 * stop in the tab order (the current message), not one per message. Says when ArrowUp was pressed
 * on the first message shown, so older history can be loaded.
 */
export const moveBetweenRows = (
  event: KeyboardEvent,
  list: HTMLElement | null,
): 'moved' | 'before-first' | 'ignored' => {
  const target = event.target as HTMLElement;
  const move = MOVES[event.key];
  if (!move || !list || !target.matches('li.message')) return 'ignored';
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return 'ignored';
  const rows = [...list.querySelectorAll<HTMLElement>(':scope > li.message')];
  const next = move(rows.indexOf(target), rows.length);
  event.preventDefault();
  rows[Math.max(0, Math.min(next, rows.length - 1))]?.focus();
  return next < 0 ? 'before-first' : 'moved';
};
