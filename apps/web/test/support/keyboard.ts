import type { Page } from 'playwright-core';

/** What a keyboard walk needs to know of the focused element. */
export interface Focused {
  /** Tag, id and name, enough to tell the elements of the walk apart in a failure. */
  label: string;
  id: string;
  inSidebar: boolean;
  /** The text of the message the element is in (or is), if any. */
  message: string | null;
  /** How focus shows on it, or null when nothing visible does. */
  indicator: string | null;
}

export const focused = (page: Page): Promise<Focused | null> =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const name =
      element.getAttribute('aria-label') ??
      element.getAttribute('placeholder') ??
      element.textContent?.trim().slice(0, 40) ??
      '';
    const label = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''} "${name}"`;

    const style = getComputedStyle(element);
    let indicator: string | null = null;
    if (
      style.outlineStyle !== 'none' &&
      Number.parseFloat(style.outlineWidth) > 0 &&
      style.outlineColor !== 'rgba(0, 0, 0, 0)'
    ) {
      indicator = `outline ${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`;
    }
    // The composer's textarea has no outline of its own: the box around it takes the focus
    // colour as its border (`.composer-box:focus-within`).
    const box = element.closest('.composer-box');
    if (!indicator && box?.matches(':focus-within')) {
      const boxStyle = getComputedStyle(box);
      const probe = document.createElement('span');
      probe.style.color = boxStyle.getPropertyValue('--focus');
      document.body.append(probe);
      const focusColor = getComputedStyle(probe).color;
      probe.remove();
      if (
        Number.parseFloat(boxStyle.borderTopWidth) > 0 &&
        boxStyle.borderTopColor === focusColor
      ) {
        indicator = `composer box border ${boxStyle.borderTopColor}`;
      }
    }
    return {
      label,
      id: element.id,
      inSidebar: element.closest('#sidebar') !== null,
      message: element.closest('li.message')?.querySelector('.message-text')?.textContent ?? null,
      indicator,
    };
  });

/**
 * Presses `key` until `isTarget` accepts the focused element, returning every element focused on
 * the way (the target last).
 */
export const pressUntil = async (
  page: Page,
  key: 'Tab' | 'Shift+Tab',
  isTarget: (element: Focused) => boolean,
  maxPresses = 20,
): Promise<Focused[]> => {
  const walk: Focused[] = [];
  for (let presses = 0; presses < maxPresses; presses += 1) {
    await page.keyboard.press(key);
    const element = await focused(page);
    if (!element) continue;
    walk.push(element);
    if (isTarget(element)) return walk;
  }
  throw new Error(
    `${key} did not reach the element within ${maxPresses} presses; it focused:\n${walk
      .map((element) => element.label)
      .join('\n')}`,
  );
};

/** The focused elements of a walk that show no focus at all. */
export const withoutIndicator = (walk: Focused[]): string[] =>
  walk.filter((element) => element.indicator === null).map((element) => element.label);
