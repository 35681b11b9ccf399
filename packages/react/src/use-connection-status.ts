import type { ConnectionStatus } from '@chatter/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useChatter } from './provider.js';

/**
 * The client's connection: `connecting` (not connected, trying), `connected`, or
 * `disconnected` (not trying: closed, or the token refused for good). Re-renders on change.
 *
 * @example
 * ```tsx
 * const Banner = () =>
 *   useConnectionStatus() === 'connected' ? null : <p role="status">Reconnecting…</p>;
 * ```
 */
export const useConnectionStatus = (): ConnectionStatus => {
  const chat = useChatter();
  const subscribe = useCallback((changed: () => void) => chat.on('status', changed), [chat]);
  const read = () => chat.connectionStatus;
  return useSyncExternalStore(subscribe, read, read);
};
