/**
 * A user who has nothing to do with the abuse: four connections (four users, so the per-user
 * message limit of 120 a minute is never theirs to hit) in a room of their own, sending a message
 * every 200 ms throughout a case and timing each send until its acknowledgement.
 */
import type { Socket } from 'socket.io-client';
import { connectSocket, signToken } from '../../bench/lib/clients.js';
import { latencyPercentiles } from '../../bench/lib/stats.js';

const USERS = 4;
const INTERVAL_MS = 200;
const ACK_TIMEOUT_MS = 10_000;
const ROOM = 'bystanders';

export interface BystanderFigures {
  p50: number;
  p99: number;
  sent: number;
  /** Sends refused or unanswered within 10 s. */
  failed: number;
}

export class Bystander {
  readonly #sockets: Socket[];
  readonly #latencies: number[] = [];
  #sent = 0;
  #failed = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #pending = new Set<Promise<void>>();

  private constructor(sockets: Socket[]) {
    this.#sockets = sockets;
  }

  static async start(url: string): Promise<Bystander> {
    const sockets = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const socket = await connectSocket(url, await signToken(`bystander-${i}`));
        await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('join', { room: ROOM });
        return socket;
      }),
    );
    const bystander = new Bystander(sockets);
    bystander.#send();
    bystander.#timer = setInterval(() => bystander.#send(), INTERVAL_MS);
    return bystander;
  }

  async stop(): Promise<BystanderFigures> {
    clearInterval(this.#timer);
    await Promise.all(this.#pending);
    for (const socket of this.#sockets) socket.close();
    const { p50, p99 } = latencyPercentiles(this.#latencies);
    return { p50, p99, sent: this.#sent, failed: this.#failed };
  }

  #send(): void {
    const socket = this.#sockets[this.#sent % USERS];
    if (!socket) return;
    this.#sent++;
    const started = performance.now();
    const sending = (async () => {
      try {
        const ack = (await socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('message', { room: ROOM, text: `still here ${this.#sent}` })) as {
          ok: boolean;
        };
        if (ack.ok) this.#latencies.push(performance.now() - started);
        else this.#failed++;
      } catch {
        this.#failed++;
      }
    })();
    this.#pending.add(sending);
    void sending.finally(() => this.#pending.delete(sending));
  }
}
