/** How long without input before a visible tab counts as away. */
export const IDLE_AFTER_MS = 5 * 60_000;

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'];

/**
 * Calls `onChange(true)` when the tab is hidden or idle, and `onChange(false)` when the person is
 * back. Returns a function that stops watching.
 */
export const watchAway = (
  onChange: (away: boolean) => void,
  idleAfterMs = IDLE_AFTER_MS,
): (() => void) => {
  let away: boolean | undefined;
  let idle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastActivity = 0;

  const update = () => {
    const next = document.visibilityState === 'hidden' || idle;
    if (next === away) return;
    away = next;
    onChange(next);
  };
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      update();
    }, idleAfterMs);
  };
  const onActivity = () => {
    // pointermove fires at frame rate; re-arming the timer once a second is plenty.
    const now = Date.now();
    if (!idle && now - lastActivity < 1000) return;
    lastActivity = now;
    idle = false;
    armIdleTimer();
    update();
  };

  for (const event of ACTIVITY_EVENTS) {
    window.addEventListener(event, onActivity, { passive: true, capture: true });
  }
  document.addEventListener('visibilitychange', update);
  armIdleTimer();
  update();

  return () => {
    clearTimeout(idleTimer);
    for (const event of ACTIVITY_EVENTS) {
      window.removeEventListener(event, onActivity, { capture: true });
    }
    document.removeEventListener('visibilitychange', update);
  };
};
