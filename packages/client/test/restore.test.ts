import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@chatter/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatterClient, type RoomReset } from '../src/index.js';
import { FAST_RECONNECTION, FAST_TIMEOUTS } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const SERVER_DIR = fileURLToPath(new URL('../../../apps/server/', import.meta.url));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `pnpm chatter …` against the server's data directory, as its own process. */
const chatter = async (server: ServerProcess, ...args: string[]): Promise<string> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH, CHATTER_DATA_DIR: server.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`chatter ${args.join(' ')} failed: ${output}`);
  return output;
};

const texts = (messages: readonly Message[]) => messages.map((message) => message.text);

/** A client in `general` that has sent one…six, with a backup taken after three. */
const sixMessagesAndABackup = async () => {
  const server = new ServerProcess();
  cleanups.push(() => server.dispose());
  await server.start();
  const chat = createChatterClient({
    url: server.url,
    getToken: () => server.token({ id: 'ada', name: 'Ada' }),
    ...FAST_RECONNECTION,
    ...FAST_TIMEOUTS,
  });
  cleanups.push(() => chat.close());
  const room = await chat.join('general');
  for (const text of ['one', 'two', 'three']) await room.send(text);
  const backup = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-backup-')), 'b.db');
  cleanups.push(() => fs.rmSync(path.dirname(backup), { recursive: true, force: true }));
  await chatter(server, 'backup', backup);
  for (const text of ['four', 'five', 'six']) await room.send(text);
  expect(texts(room.messages)).toEqual(['one', 'two', 'three', 'four', 'five', 'six']);
  const resets: RoomReset[] = [];
  room.on('reset', (reset) => resets.push(reset));
  return { server, chat, room, backup, resets };
};

describe('a connected client across a restore', () => {
  it('pnpm chatter restore: the client resets to the restored history and what follows it', async () => {
    const { server, room, backup, resets } = await sixMessagesAndABackup();
    const epochBefore = room.epoch;

    await server.stop();
    await chatter(server, 'restore', backup);
    await server.start();
    for (const text of ['4 again', '5 again', '6 again']) await server.post('general', text);

    await waitFor('the reset', () => resets.length === 1);
    expect(resets[0]).toEqual({ room: 'general', epoch: room.epoch, previousEpoch: epochBefore });
    expect(room.epoch).not.toBe(epochBefore);
    const expected = ['one', 'two', 'three', '4 again', '5 again', '6 again'];
    await waitFor('the restored history', () => texts(room.messages).join() === expected.join());
    expect(room.messages).toEqual(await server.history('general'));
  });

  it('a history behind the client in the same epoch (a restore that kept it) resets it too', async () => {
    const { server, room, backup, resets } = await sixMessagesAndABackup();
    const epochBefore = room.epoch;

    // The database replaced by hand, epochs and all: only the head tells the client.
    await server.stop();
    const file = path.join(server.dataDir, 'chatter.db');
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    fs.copyFileSync(backup, file);
    await server.start();

    await waitFor('the reset', () => resets.length === 1);
    expect(resets[0]).toEqual({ room: 'general', epoch: epochBefore, previousEpoch: epochBefore });
    expect(texts(room.messages)).toEqual(['one', 'two', 'three']);
    // Messages written from here on land after the restored ones, with nothing missed.
    await server.post('general', '4 again');
    await waitFor('the next message', () => room.messages.length === 4);
    expect(room.messages).toEqual(await server.history('general'));
  });
});
