/**
 * A Socket.IO client written straight onto a TCP socket, so a test can make it stop reading the
 * way a frozen tab or a stalled network does: once `stopReading()` is called nothing more is taken
 * from the kernel, its receive window closes and the server has to hold whatever it still sends.
 * It speaks just enough WebSocket (RFC 6455) and Engine.IO v4 for a handshake, events and acks.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';

interface Ack {
  ok: boolean;
  [key: string]: unknown;
}

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;

/** A masked text frame, as every client-to-server frame must be. */
const clientFrame = (text: string): Buffer => {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | OPCODE_TEXT, 0x80 | length])
      : Buffer.from([0x80 | OPCODE_TEXT, 0x80 | 126, length >> 8, length & 0xff]);
  if (length > 0xffff) throw new Error('the stalled client only sends small frames');
  const mask = randomBytes(4);
  for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, payload]);
};

export class StalledClient {
  /** Socket.IO `message` events received while reading. */
  messagesReceived = 0;
  readonly closed: Promise<void>;
  #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #nextAckId = 0;
  readonly #acks = new Map<number, (ack: Ack) => void>();
  #onConnect: ((error?: Error) => void) | undefined;
  #token = '';

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.closed = once(socket, 'close').then(() => undefined);
  }

  /** Opens a WebSocket to `url`'s Socket.IO endpoint and connects with `token`. */
  static async connect(url: string, token: string): Promise<StalledClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await once(socket, 'connect');
    const client = new StalledClient(socket);
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
    const connected = new Promise<void>((resolve, reject) => {
      client.#onConnect = (error) => (error ? reject(error) : resolve());
    });
    let handshake = true;
    socket.on('data', (chunk: Buffer) => {
      client.#buffer = Buffer.concat([client.#buffer, chunk]);
      if (handshake) {
        const end = client.#buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = client.#buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) {
          client.#onConnect?.(new Error(`no WebSocket upgrade: ${head.split('\r\n')[0]}`));
          return;
        }
        handshake = false;
        client.#buffer = client.#buffer.subarray(end + 4);
      }
      client.#readFrames();
    });
    socket.on('error', () => {});
    socket.once('close', () => client.#onConnect?.(new Error('closed before connecting')));
    client.#token = token;
    await connected;
    return client;
  }

  /** Emits `event` and resolves with its acknowledgement (while the client still reads). */
  call(event: string, payload: unknown): Promise<Ack> {
    const id = this.#nextAckId++;
    this.#send(`42${id}${JSON.stringify([event, payload])}`);
    return new Promise((resolve) => this.#acks.set(id, resolve));
  }

  /** Takes nothing more from the kernel: the server's data piles up in front of this client. */
  stopReading(): void {
    this.#socket.pause();
  }

  resumeReading(): void {
    this.#socket.resume();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #send(text: string): void {
    this.#socket.write(clientFrame(text));
  }

  #readFrames(): void {
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return;
      const opcode = (buffer[0] ?? 0) & 0x0f;
      let length = (buffer[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length).toString();
      this.#buffer = buffer.subarray(offset + length);
      if (opcode === OPCODE_TEXT) this.#onPacket(payload);
      else if (opcode === OPCODE_CLOSE) this.#socket.end();
    }
  }

  #onPacket(packet: string): void {
    if (packet.startsWith('0')) {
      // Engine.IO is open; Socket.IO's CONNECT carries the token.
      this.#send(`40${JSON.stringify({ token: this.#token })}`);
    } else if (packet === '2') {
      this.#send('3');
    } else if (packet.startsWith('40')) {
      this.#onConnect?.();
      this.#onConnect = undefined;
    } else if (packet.startsWith('44')) {
      const error = JSON.parse(packet.slice(2)) as { message?: string };
      this.#onConnect?.(new Error(`connect_error: ${error.message}`));
    } else if (packet.startsWith('42')) {
      const [event] = JSON.parse(packet.slice(2)) as [string];
      if (event === 'message') this.messagesReceived++;
    } else if (packet.startsWith('43')) {
      const match = /^43(\d+)(.*)$/s.exec(packet);
      if (!match) return;
      const [ack] = JSON.parse(match[2] ?? '[]') as [Ack];
      this.#acks.get(Number(match[1]))?.(ack);
      this.#acks.delete(Number(match[1]));
    }
  }
}

/**
 * A Socket.IO client over HTTP long-polling that joins `room` and then stops polling, as a
 * suspended browser tab does: whatever the server sends it waits in the server's queue.
 */
export const stalledPollingClient = async (
  url: string,
  token: string,
  room: string,
): Promise<void> => {
  const endpoint = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(endpoint)).text();
  const { sid } = JSON.parse(open.slice(1)) as { sid: string };
  const session = `${endpoint}&sid=${sid}`;
  const post = async (packet: string) => {
    const response = await fetch(session, { method: 'POST', body: packet });
    if (!response.ok) throw new Error(`poll POST ${response.status}`);
  };
  /** Polls until a packet starting with `prefix` arrives. */
  const pollFor = async (prefix: string) => {
    for (;;) {
      const packets = (await (await fetch(session)).text()).split('\x1e');
      if (packets.some((packet) => packet.startsWith(prefix))) return;
    }
  };
  await post(`40${JSON.stringify({ token })}`);
  await pollFor('40');
  await post(`420${JSON.stringify(['join', { room }])}`);
  await pollFor('430');
};
