import type { Logger } from '../utils/logger.js';
import type { RedisClient } from './redis-link.js';

type Listener = (message: Buffer, channel: Buffer) => void;

/**
 * The subscriber Socket.IO's sharded adapter is given. In dynamic mode the adapter subscribes to
 * a room's channel when the room appears on this node and unsubscribes when it empties, and it
 * ignores the promises: a subscription in flight when the Redis link drops rejects, unhandled,
 * which ends the process, and node-redis forgets it, so after the reconnection this node would
 * not hear that room until it emptied and filled again. Here a rejected subscription is asked
 * again (the client queues it until the link is back) unless the room was left meanwhile, and a
 * rejected unsubscription is let go (resubscribing at reconnection costs only traffic).
 */
export const adapterSubscriber = (client: RedisClient, logger: Logger) => {
  const wanted = new Set<string>();

  const subscribe = (channel: string, listener: Listener, buffers: boolean): void => {
    wanted.add(channel);
    client.sSubscribe(channel, listener as never, buffers).catch((error: unknown) => {
      if (!wanted.has(channel) || !client.isOpen) return;
      logger.debug({ err: error, channel }, 'subscribing again after a lost link');
      subscribe(channel, listener, buffers);
    });
  };

  return {
    sSubscribe: subscribe,
    sUnsubscribe: (channel: string): void => {
      wanted.delete(channel);
      client.sUnsubscribe(channel).catch(() => {});
    },
  };
};
