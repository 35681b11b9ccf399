import { ChatterError } from './errors.js';
import type { AbortSignalLike } from './platform-types.js';

/**
 * Per-call options of `connect`, `join`, `history`, `status` and `rooms`: an `AbortSignal` that
 * cancels the call (it rejects with `ChatterError` `ABORTED`, the signal's reason as `cause`) and
 * a `timeoutMs` after which it rejects with `TIMEOUT`. The default timeout is the client's
 * `requestTimeoutMs` (30 000 ms), except for `connect`, which waits until told otherwise.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const room = await chat.join('general', { signal: controller.signal, timeoutMs: 5000 });
 * await room.history({ before: room.messages[0]?.seq, signal: controller.signal });
 * ```
 */
export interface RequestOptions {
  signal?: AbortSignalLike | undefined;
  timeoutMs?: number | undefined;
}

/** The default of the client option `requestTimeoutMs`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const aborted = (what: string, reason: unknown) =>
  new ChatterError('ABORTED', `${what} was aborted`, { cause: reason });

const checkTimeout = (timeoutMs: number | undefined, what: string): number | undefined => {
  if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return undefined;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new ChatterError('VALIDATION', `${what}: timeoutMs must be a number of milliseconds ≥ 0`);
  }
  return timeoutMs;
};

/**
 * Runs `run` with a signal of its own, rejecting with `ABORTED` when the caller's signal aborts
 * and with `TIMEOUT` after `timeoutMs` (else `defaultTimeoutMs`; none when both are undefined).
 * Either way the inner signal is aborted too, so what `run` started (a fetch, a retry loop)
 * stops, and whatever it settles with later is ignored.
 */
export const withDeadline = <T>(
  what: string,
  options: RequestOptions,
  defaultTimeoutMs: number | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const { signal } = options;
  let timeoutMs: number | undefined;
  try {
    timeoutMs = checkTimeout(options.timeoutMs ?? defaultTimeoutMs, what);
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(aborted(what, signal.reason));
  const inner = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => stop(aborted(what, signal?.reason));
    const stop = (error: ChatterError) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      inner.abort(error);
      reject(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => stop(new ChatterError('TIMEOUT', `${what} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    run(inner.signal).then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
};

/** Throws the reason `signal` was aborted with (a `ChatterError` from `withDeadline`). */
export const throwIfAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw signal.reason;
};

/** Waits `ms`, or less when `signal` aborts (then throws its reason). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
