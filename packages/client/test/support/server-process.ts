import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HistoryResponseSchema,
  type Message,
  type MessageChange,
  MessageChangeResponseSchema,
  MessageSchema,
  type RoomSummary,
  RoomsResponseSchema,
} from '@chatter/protocol';
import { SignJWT } from 'jose';

/**
 * The server's source; spawned as its own process, exactly as `pnpm dev` runs it. Resolved as a
 * path: the React tests run this under happy-dom, whose global URL `fileURLToPath` refuses.
 */
const SERVER_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../apps/server',
);

export const TEST_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

/** Who `ServerProcess.post` and the other REST helpers act as unless told otherwise. */
export const POSTER = { id: 'poster', name: 'Poster' };

/** A port nothing listens on now, for a process the test starts and restarts on it. */
export const freePort = async (): Promise<number> => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
};

export interface ServerProcessOptions {
  env?: Record<string, string>;
  /** A data directory shared with other nodes of a cluster; its owner removes it. */
  dataDir?: string;
}

/**
 * A Chatter server in a child process on a fixed port and data directory, so a test can kill
 * it (gracefully or not) and start it again where clients expect it.
 */
export class ServerProcess {
  readonly dataDir: string;
  readonly #ownsDataDir: boolean;
  port = 0;
  #child: ChildProcess | undefined;
  #output = '';
  readonly #env: Record<string, string>;

  constructor(options: ServerProcessOptions = {}) {
    this.#env = options.env ?? {};
    this.#ownsDataDir = options.dataDir === undefined;
    this.dataDir =
      options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-client-test-'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return this.#output;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.#output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: SERVER_DIR,
      env: {
        PATH: process.env.PATH,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        CHATTER_DATA_DIR: this.dataDir,
        CHATTER_JWT_SECRET: TEST_SECRET,
        CHATTER_PRESENCE_GRACE_MS: '300',
        CHATTER_TYPING_TIMEOUT_MS: '1000',
        CHATTER_GUESTS: 'true',
        CHATTER_MESSAGES_PER_MINUTE: '1000000',
        CHATTER_SESSIONS_PER_MINUTE: '1000000',
        CHATTER_ROOMS_PER_MINUTE: '1000000',
        CHATTER_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
        LOG_LEVEL: 'info',
        ...this.#env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 20_000;
    while (!this.#output.includes('Chatter is listening on')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the server did not start:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGTERM lets the server finish what it acknowledged; SIGKILL is a crash. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    if (this.#ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A token as an app's backend would mint it with the server's secret. */
  async token(
    user: { id: string; name: string },
    expiresIn: string | number = '1h',
    claims: { rooms?: string[] } = {},
  ): Promise<string> {
    return new SignJWT({ name: user.name, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(new TextEncoder().encode(TEST_SECRET));
  }

  /** The room's whole stored history, read over REST page by page: the source of truth. */
  async history(room: string): Promise<Message[]> {
    return (await this.log(room)).messages;
  }

  /**
   * The room's whole log over REST, forward page by page: its messages in their latest state,
   * and every change entry (each with the message's state as it is now).
   */
  async log(room: string): Promise<{ messages: Message[]; changes: MessageChange[] }> {
    const token = await this.token({ id: 'auditor', name: 'Auditor' });
    const messages: Message[] = [];
    const changes: MessageChange[] = [];
    for (let after = 0; ; ) {
      const response = await fetch(
        `${this.url}/api/messages?room=${room}&after=${after}&limit=100`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (!response.ok) throw new Error(`history: ${response.status} ${await response.text()}`);
      const page = HistoryResponseSchema.parse(await response.json());
      messages.push(...page.messages);
      changes.push(...page.changes);
      // A forward page covers its range of seqs without a gap, messages and changes together.
      const end = Math.max(
        after,
        ...page.messages.map((m) => m.seq),
        ...page.changes.map((c) => c.seq),
      );
      if (!page.hasMore || end === after) return { messages, changes };
      after = end;
    }
  }

  /** Posts as another user over REST, the way a bot or another app would. */
  async post(
    room: string,
    text: string,
    user = POSTER,
    options: { replyTo?: string } = {},
  ): Promise<Message> {
    const body = await this.#call('POST', 'api/messages', user, { room, text, ...options }, 201);
    return MessageSchema.parse((body as { message: unknown }).message);
  }

  /** Edits a message as `user` over REST. */
  edit(id: string, text: string, user = POSTER) {
    return this.#change('PATCH', `api/messages/${id}`, user, { text });
  }

  /** Deletes a message as `user` over REST. */
  remove(id: string, user = POSTER) {
    return this.#change('DELETE', `api/messages/${id}`, user);
  }

  /** Adds (`true`) or removes `user`'s reaction over REST. */
  react(id: string, emoji: string, user = POSTER, add = true) {
    const path = `api/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
    return this.#change(add ? 'PUT' : 'DELETE', path, user);
  }

  /** The rooms the server remembers for `user`, with read positions and unread counts. */
  async rooms(user: { id: string; name: string }): Promise<RoomSummary[]> {
    return RoomsResponseSchema.parse(await this.#call('GET', 'api/rooms', user, undefined, 200))
      .rooms;
  }

  async #change(
    method: string,
    path: string,
    user: { id: string; name: string },
    body?: unknown,
  ): Promise<{ message: Message; change: MessageChange | null }> {
    return MessageChangeResponseSchema.parse(await this.#call(method, path, user, body, 200));
  }

  async #call(
    method: string,
    path: string,
    user: { id: string; name: string },
    body: unknown,
    status: number,
  ): Promise<unknown> {
    const response = await fetch(`${this.url}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status !== status) {
      throw new Error(`${method} /${path}: ${response.status} ${await response.text()}`);
    }
    return response.json();
  }
}
