import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * Engine.IO frames carrying an entry of a room's log from the server: a Socket.IO `message` or
 * `change` event.
 */
const isMessageEvent = (frame: string) =>
  frame.startsWith('42["message"') || frame.startsWith('42["change"');

interface Link {
  client: WebSocket;
  server: WebSocket;
  /** The `message` and `change` events this link delivered, newest last. */
  delivered: string[];
}

/**
 * A WebSocket proxy between clients and a real server, for the network faults a test needs:
 * dropped connections, an unreachable server, events lost, held back or delivered twice, and
 * frames the server would never send. REST requests are passed through unchanged.
 */
export class FaultyProxy {
  readonly #targetPort: () => number;
  readonly #http = http.createServer();
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #links = new Set<Link>();
  #refusing = false;
  #refusingUpgrades = false;
  /** Every frame clients sent, in order, for tests that count what went over the wire. */
  readonly clientFrames: string[] = [];
  /** Every frame the server sent while `recordServerFrames` is set, in order. */
  readonly serverFrames: string[] = [];
  recordServerFrames = false;
  /** The URL of every plain HTTP request (REST, Socket.IO long-polling), in order. */
  readonly httpRequests: string[] = [];
  /** The URL of every WebSocket upgrade request, refused or not, in order. */
  readonly upgradeRequests: string[] = [];
  /** Each `message` and `change` event is delivered twice while set. */
  duplicateEverything = false;
  /** Frames from the server are lost while set: requests arrive, answers never do. */
  loseReplies = false;
  /**
   * The next this many `message` and `change` events are lost while the connection stays up, as
   * a broadcast relayed through an at-most-once channel (Redis pub/sub between nodes, say) can be.
   */
  loseMessageEvents = 0;
  /** Frames from the server that this accepts are lost while the connection stays up. */
  loseServerFrames: ((frame: string) => boolean) | undefined;
  /**
   * Frames from the server that this accepts wait until `releaseHeld`, as if the server were
   * slow to send them; the frames it does not accept pass them.
   */
  holdServerFrames: ((frame: string) => boolean) | undefined;
  readonly #held: Array<{ client: WebSocket; frame: string }> = [];

  constructor(targetPort: () => number) {
    this.#targetPort = targetPort;
    this.#http.on('request', (request, response) => this.#forwardHttp(request, response));
    this.#http.on('upgrade', (request, socket, head) => this.#upgrade(request, socket, head));
  }

  get url(): string {
    const { port } = this.#http.address() as net.AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get connections(): number {
    return this.#links.size;
  }

  /** How many frames `holdServerFrames` is holding. */
  get heldFrames(): number {
    return this.#held.length;
  }

  async listen(): Promise<void> {
    this.#http.listen(0, '127.0.0.1');
    await once(this.#http, 'listening');
  }

  /** Cuts every connection abruptly, as a network failure would. */
  drop(): void {
    for (const link of this.#links) {
      link.client.terminate();
      link.server.terminate();
    }
    this.#links.clear();
  }

  /** While refusing, new connections fail as if the server were unreachable. */
  refuse(refusing: boolean): void {
    this.#refusing = refusing;
    if (refusing) this.drop();
  }

  /**
   * While set, WebSocket upgrades are answered `403 Forbidden` but plain HTTP passes, as behind
   * a proxy that does not allow WebSocket.
   */
  refuseUpgrades(refusing: boolean): void {
    this.#refusingUpgrades = refusing;
    if (refusing) this.drop();
  }

  /** Delivers the last `count` `message` and `change` events again, on every connection. */
  redeliver(count: number): void {
    for (const link of this.#links) {
      for (const frame of link.delivered.slice(-count)) link.client.send(frame);
    }
  }

  /** Sends a raw Engine.IO frame to every client, as if the server had sent it. */
  inject(frame: string): void {
    for (const link of this.#links) link.client.send(frame);
  }

  /** Sends the held frames on, in order, to the connections still open. */
  releaseHeld(): void {
    for (const { client, frame } of this.#held.splice(0)) {
      if (client.readyState === WebSocket.OPEN) client.send(frame);
    }
  }

  /** Sends a raw Engine.IO frame to the server on every connection, as if the client had sent it. */
  injectToServer(frame: string): void {
    for (const link of this.#links) link.server.send(frame);
  }

  async close(): Promise<void> {
    this.drop();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise((resolve) => this.#http.close(resolve));
  }

  #upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgradeRequests.push(request.url ?? '');
    if (this.#refusing) {
      socket.destroy();
      return;
    }
    if (this.#refusingUpgrades) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (client) => {
      const server = new WebSocket(`ws://127.0.0.1:${this.#targetPort()}${request.url ?? '/'}`);
      const link: Link = { client, server, delivered: [] };
      this.#links.add(link);
      const pending: string[] = [];
      const end = () => {
        this.#links.delete(link);
        client.terminate();
        server.terminate();
      };
      client.on('message', (data) => {
        const frame = data.toString();
        this.clientFrames.push(frame);
        if (server.readyState === WebSocket.OPEN) server.send(frame);
        else pending.push(frame);
      });
      server.on('open', () => {
        for (const frame of pending.splice(0)) server.send(frame);
      });
      server.on('message', (data) => {
        if (this.loseReplies) return;
        const frame = data.toString();
        if (this.recordServerFrames) this.serverFrames.push(frame);
        if (isMessageEvent(frame) && this.loseMessageEvents > 0) {
          this.loseMessageEvents -= 1;
          return;
        }
        if (this.loseServerFrames?.(frame)) return;
        if (this.holdServerFrames?.(frame)) {
          this.#held.push({ client, frame });
          return;
        }
        client.send(frame);
        if (!isMessageEvent(frame)) return;
        link.delivered.push(frame);
        if (this.duplicateEverything) client.send(frame);
      });
      client.on('close', end);
      server.on('close', end);
      client.on('error', end);
      server.on('error', end);
    });
  }

  #forwardHttp(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.httpRequests.push(request.url ?? '');
    if (this.#refusing) {
      response.socket?.destroy();
      return;
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.#targetPort(),
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        // A server killed mid-answer resets it: the client sees its connection cut, as it would.
        answer.on('error', () => response.socket?.destroy());
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.socket?.destroy());
    // A client that gives up (or a connection `drop()` cut) resets its side: end ours too.
    request.on('error', () => upstream.destroy());
    response.on('error', () => upstream.destroy());
    request.pipe(upstream);
  }
}
