import type { Logger } from '../utils/logger.js';
import type { ChatSocket } from './types.js';

type Connection = ChatSocket['conn'];

/** What engine.io's `packetCreate` event carries. */
interface EnginePacket {
  data?: unknown;
  options?: { wsPreEncodedFrame?: readonly Uint8Array[] };
}

/** The part of the `ws` WebSocket that engine.io's websocket transport keeps as `socket`. */
interface WebSocketLike {
  readonly bufferedAmount: number;
  terminate(): void;
}

interface Watched {
  socket: ChatSocket;
  /** Bytes of packets in engine.io's write buffer, not yet handed to the transport. */
  queued: number;
  closing: boolean;
}

/**
 * A broadcast carries the frame it will send (computed once for all its recipients); anything
 * else is a string or binary packet.
 */
const packetBytes = ({ data, options }: EnginePacket): number => {
  const frame = options?.wsPreEncodedFrame;
  if (frame) {
    let bytes = 0;
    for (const part of frame) bytes += part.byteLength;
    return bytes;
  }
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
};

/**
 * The `ws` socket under a websocket transport. Its `bufferedAmount` is what Node holds for the
 * kernel: engine.io hands a transport one batch and queues the rest until that batch is written.
 * Long-polling answers each poll with `res.end`, so its queue is the write buffer alone.
 */
const webSocketOf = (connection: Connection): WebSocketLike | undefined =>
  connection.transport.name === 'websocket'
    ? (connection.transport as unknown as { socket?: WebSocketLike }).socket
    : undefined;

/**
 * Bounds what a connection may have waiting to be sent: a client that stops reading (a frozen
 * tab, a stalled network, a deliberate attack) would otherwise make the server keep every message
 * of its rooms until the heartbeat gives up on it, about 45 s later. Over `maxBufferedBytes` the
 * connection is closed at once and its queue dropped; the client catches up from the store when
 * it reconnects.
 *
 * Counting is one addition per packet (engine.io's `packetCreate`), reset when engine.io hands its
 * buffer to the transport (`flush`), plus the transport's own buffer read from `ws` as it stands;
 * nothing is summed per emit and there is no timer. The listeners are shared by every connection.
 */
export const outgoingLimit = ({
  maxBufferedBytes,
  logger,
}: {
  maxBufferedBytes: number;
  logger: Logger;
}) => {
  const watched = new WeakMap<Connection, Watched>();

  const close = (connection: Connection, entry: Watched, bufferedBytes: number): void => {
    entry.closing = true;
    const { socket } = entry;
    logger.warn(
      { userId: socket.data.user.id, socketId: socket.id, bufferedBytes, maxBufferedBytes },
      'closing a connection that does not read what it is sent (over CHATTER_MAX_BUFFERED_BYTES)',
    );
    // After the current broadcast has finished with this socket: closing runs the disconnect
    // handlers, which may broadcast themselves.
    queueMicrotask(() => {
      const webSocket = webSocketOf(connection);
      // Discard: the queue is never going to be read, and a graceful close would wait for it.
      connection.close(true);
      // `ws` would keep its buffer through a closing handshake the client cannot answer (30 s).
      webSocket?.terminate();
    });
  };

  function onPacketCreate(this: Connection, packet: EnginePacket): void {
    const entry = watched.get(this);
    if (!entry || entry.closing) return;
    entry.queued += packetBytes(packet);
    const buffered = entry.queued + (webSocketOf(this)?.bufferedAmount ?? 0);
    if (buffered > maxBufferedBytes) close(this, entry, buffered);
  }

  function onFlush(this: Connection): void {
    const entry = watched.get(this);
    if (entry) entry.queued = 0;
  }

  return {
    watch(socket: ChatSocket): void {
      const connection = socket.conn;
      watched.set(connection, { socket, queued: 0, closing: false });
      connection.on('packetCreate', onPacketCreate);
      connection.on('flush', onFlush);
    },
  };
};
