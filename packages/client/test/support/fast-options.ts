import type { ChatterClientOptions } from '../../src/index.js';

/** WebSocket only, reconnecting within a test's patience (the defaults wait 1–5 s). */
export const FAST_RECONNECTION = {
  transports: ['websocket'],
  reconnectionDelayMs: 50,
  reconnectionDelayMaxMs: 250,
} satisfies Partial<ChatterClientOptions>;

/** Timeouts short enough that a request lost to a fault is retried within the test. */
export const FAST_TIMEOUTS = {
  connectTimeoutMs: 2000,
  ackTimeoutMs: 2000,
} satisfies Partial<ChatterClientOptions>;
