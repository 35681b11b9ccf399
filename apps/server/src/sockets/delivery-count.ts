import type { Metrics } from '../services/metrics.js';
import type { ChatServer } from './types.js';

/** The parts of socket.io-adapter's in-memory `Adapter` (2.5) that every broadcast goes through. */
interface AdapterInternals {
  _encode(packet: { data?: unknown[] }, options: unknown): unknown;
  apply(options: unknown, callback: (socket: unknown) => void): void;
}

/**
 * Counts the `message` frames this node writes to its own sockets, whichever node the message
 * came from. Every broadcast, local or relayed by the Redis adapter, encodes its packet once and
 * then visits each recipient with `apply`, synchronously: the encoding says which event it is,
 * the visits how many got it. Neither method is public, so the cluster metrics test guards them.
 */
export const countMessageDeliveries = (io: ChatServer, metrics: Metrics): void => {
  const adapter = io.of('/').adapter as unknown as AdapterInternals;
  const encode = adapter._encode.bind(adapter);
  const apply = adapter.apply.bind(adapter);
  let encodingMessage = false;
  adapter._encode = (packet, options) => {
    encodingMessage = packet.data?.[0] === 'message';
    return encode(packet, options);
  };
  adapter.apply = (options, callback) => {
    if (!encodingMessage) {
      apply(options, callback);
      return;
    }
    encodingMessage = false;
    let recipients = 0;
    apply(options, (socket) => {
      recipients++;
      callback(socket);
    });
    metrics.delivered(recipients);
  };
};
