import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/store/sqlite-migrations.js';
import { type ClientSocket, connectAs, startTestServer, tempDataDir } from './helpers.js';

const SERVER_DIR = fileURLToPath(new URL('../', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pnpm chatter …` as its own process, as an operator runs it: locks are per process. */
const chatter = async (dataDir: string, ...args: string[]): Promise<CliResult> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH, CHATTER_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout: stdout.trim(), stderr: stderr.trim() };
};

const send = async (socket: ClientSocket, room: string, text: string) => {
  const ack = await socket.emitWithAck('message', { room, text });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.message;
};

const join = async (
  socket: ClientSocket,
  room: string,
  since?: { since: number; epoch: string },
) => {
  const ack = await socket.emitWithAck('join', { room, ...since });
  if (!ack.ok) throw new Error(ack.error.message);
  return ack;
};

const readOnly = (file: string) => new Database(file, { readonly: true, fileMustExist: true });

const roomRows = (file: string) => {
  const db = readOnly(file);
  try {
    return db.prepare('SELECT name, epoch, head FROM rooms ORDER BY name').all() as Array<{
      name: string;
      epoch: string;
      head: number;
    }>;
  } finally {
    db.close();
  }
};

const texts = (messages: ReadonlyArray<{ text: string }>) => messages.map((m) => m.text);

describe('pnpm chatter backup', () => {
  it('copies a consistent snapshot while the server keeps writing', async () => {
    const { url, dataDir } = await startTestServer();
    const { socket } = await connectAs(url);
    const backupFile = path.join(tempDataDir(), 'backup.db');
    const rooms = ['a', 'b', 'c'];
    await send(socket, 'a', 'before the backup');

    // Writers keep going for as long as the backup runs, and stop once it has finished.
    let backupDone = false;
    let written = 0;
    const writers = rooms.map(async (room) => {
      while (!backupDone) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => send(socket, room, `${room} ${written + i}`)),
        );
        written += 10;
      }
    });
    const result = await chatter(dataDir, 'backup', backupFile);
    backupDone = true;
    await Promise.all(writers);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^chatter: backed up .*chatter\\.db to ${backupFile} \\(\\d+ rooms?, \\d+ messages?\\)$`,
      ),
    );
    expect(written).toBeGreaterThan(0);
    const copy = readOnly(backupFile);
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      // One self-contained file: no -wal beside it to carry along.
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      for (const { name, head } of copy.prepare('SELECT name, head FROM rooms').all() as Array<{
        name: string;
        head: number;
      }>) {
        // Each room's messages are 1…head with no gap and none past the head: one snapshot.
        const seqs = copy
          .prepare('SELECT seq FROM messages WHERE room = ? ORDER BY seq')
          .pluck()
          .all(name);
        expect(seqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      }
    } finally {
      copy.close();
    }
    expect(fs.readdirSync(path.dirname(backupFile))).toEqual(['backup.db']);
  });

  it('answers a wrong command line with usage and exit code 2', async () => {
    const dataDir = tempDataDir();
    for (const args of [[], ['backup'], ['backup', 'a', 'b'], ['rotate-epochs', 'x'], ['nope']]) {
      const result = await chatter(dataDir, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage: pnpm chatter <command>');
    }
  });

  it('fails with one line when there is no database', async () => {
    const dataDir = tempDataDir();
    const result = await chatter(dataDir, 'backup', path.join(dataDir, 'out.db'));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `chatter: there is no database at ${path.join(dataDir, 'chatter.db')}`,
    });
  });
});

describe('pnpm chatter restore', () => {
  it('is refused while a server runs on the database, which it leaves alone', async () => {
    const { url, dataDir } = await startTestServer();
    const { socket } = await connectAs(url);
    await send(socket, 'general', 'one');
    const backupFile = path.join(tempDataDir(), 'backup.db');
    expect((await chatter(dataDir, 'backup', backupFile)).code).toBe(0);
    await send(socket, 'general', 'two');

    const result = await chatter(dataDir, 'restore', backupFile);
    const file = path.join(dataDir, 'chatter.db');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `chatter: a Chatter server is running on ${file} (it holds ${file}.lock); stop it first`,
    );
    // Still serving what it had.
    expect(texts((await join(socket, 'general')).messages)).toEqual(['one', 'two']);
  });

  it('replaces the history and rotates every epoch, so a client that rejoins is reset', async () => {
    // The scenario of issue 11: the client holds three messages the backup does not have.
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const ada = await connectAs(first.url, 'Ada');
    for (const text of ['one', 'two', 'three']) await send(ada.socket, 'general', text);
    await join(ada.socket, 'quiet');
    const backupFile = path.join(tempDataDir(), 'backup.db');
    expect((await chatter(dataDir, 'backup', backupFile)).code).toBe(0);
    for (const text of ['four', 'five', 'six']) await send(ada.socket, 'general', text);
    const before = await join(ada.socket, 'general', { since: 0, epoch: 'x' });
    const quietBefore = await join(ada.socket, 'quiet');
    await first.close();

    const restored = await chatter(dataDir, 'restore', backupFile);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(
      new RegExp(
        `^chatter: restored .*chatter\\.db from ${backupFile} \\(1 room, 3 messages\\); every room's epoch is now [0-9a-f-]+, so clients reset$`,
      ),
    );
    const rows = roomRows(path.join(dataDir, 'chatter.db'));
    expect(rows).toEqual([{ name: 'general', epoch: expect.any(String), head: 3 }]);
    expect(rows[0]?.epoch).not.toBe(before.epoch);

    const second = await startTestServer({ dataDir });
    const bob = await connectAs(second.url, 'Bob');
    for (const text of ['4 again', '5 again', '6 again']) await send(bob.socket, 'general', text);
    // Ada comes back holding up to seq 6 of the old epoch.
    const ada2 = await connectAs(second.url, 'Ada');
    const rejoined = await join(ada2.socket, 'general', { since: 6, epoch: before.epoch });
    expect(rejoined.epoch).not.toBe(before.epoch);
    expect(texts(rejoined.messages)).toEqual([
      'one',
      'two',
      'three',
      '4 again',
      '5 again',
      '6 again',
    ]);
    // A room nobody wrote in changes its epoch too: its clients reset (an empty timeline).
    expect(
      (await join(ada2.socket, 'quiet', { since: 0, epoch: quietBefore.epoch })).epoch,
    ).not.toBe(quietBefore.epoch);
  });

  it('never replays the old database’s write-ahead log onto the restored file', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const file = path.join(dataDir, 'chatter.db');
    const { socket } = await connectAs(first.url);
    await send(socket, 'general', 'backed up');
    const backupFile = path.join(tempDataDir(), 'backup.db');
    expect((await chatter(dataDir, 'backup', backupFile)).code).toBe(0);
    await first.close();

    // What a crash leaves behind: a -wal full of commits that never reached the file.
    const db = new Database(file);
    db.pragma('wal_autocheckpoint = 0');
    db.prepare(`UPDATE messages SET text = 'from the stale log'`).run();
    const staleLog = fs.readFileSync(`${file}-wal`);
    db.close();
    fs.writeFileSync(`${file}-wal`, staleLog);

    expect((await chatter(dataDir, 'restore', backupFile)).code).toBe(0);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const restored = readOnly(file);
    try {
      expect(restored.prepare('SELECT text FROM messages').pluck().all()).toEqual(['backed up']);
    } finally {
      restored.close();
    }
  });

  it('refuses a backup from a newer version, or one that is not a Chatter database', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const { socket } = await connectAs(first.url);
    await send(socket, 'general', 'kept');
    const backupFile = path.join(tempDataDir(), 'backup.db');
    expect((await chatter(dataDir, 'backup', backupFile)).code).toBe(0);
    await first.close();
    const db = new Database(backupFile);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const notChatter = path.join(path.dirname(backupFile), 'other.db');
    new Database(notChatter).exec('CREATE TABLE t (x)');
    const garbage = path.join(path.dirname(backupFile), 'garbage.db');
    fs.writeFileSync(garbage, 'not a database at all, just text that goes on for a while');

    const newer = await chatter(dataDir, 'restore', backupFile);
    expect(newer).toEqual({
      code: 1,
      stdout: '',
      stderr: `chatter: ${backupFile} has schema version ${SCHEMA_VERSION + 1}, newer than this Chatter's ${SCHEMA_VERSION}; restore it with the release that wrote it`,
    });
    expect((await chatter(dataDir, 'restore', notChatter)).stderr).toBe(
      `chatter: ${notChatter} is not a Chatter database`,
    );
    const broken = await chatter(dataDir, 'restore', garbage);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`^chatter: ${garbage} cannot be (read|opened): `));
    expect((await chatter(dataDir, 'restore', path.join(dataDir, 'missing.db'))).stderr).toBe(
      `chatter: there is no backup at ${path.join(dataDir, 'missing.db')}`,
    );
    // The database is as it was.
    const second = await startTestServer({ dataDir });
    const again = await connectAs(second.url);
    expect(texts((await join(again.socket, 'general')).messages)).toEqual(['kept']);
  });
});

describe('pnpm chatter rotate-epochs', () => {
  it('gives every room and the default epoch a new epoch, with the server stopped', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const { socket } = await connectAs(first.url);
    await send(socket, 'a', 'x');
    await send(socket, 'b', 'y');
    const empty = await join(socket, 'empty');
    const refused = await chatter(dataDir, 'rotate-epochs');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/a Chatter server is running on .* stop it first$/);
    const before = roomRows(path.join(dataDir, 'chatter.db'));
    await first.close();

    const rotated = await chatter(dataDir, 'rotate-epochs');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /^chatter: rotated the epochs of 2 rooms in .*chatter\.db to [0-9a-f-]+; clients reset at their next join$/,
    );
    const after = roomRows(path.join(dataDir, 'chatter.db'));
    expect(after.map(({ name, head }) => ({ name, head }))).toEqual(
      before.map(({ name, head }) => ({ name, head })),
    );
    for (const [i, row] of after.entries()) expect(row.epoch).not.toBe(before[i]?.epoch);

    const second = await startTestServer({ dataDir });
    const again = await connectAs(second.url);
    expect((await join(again.socket, 'empty')).epoch).not.toBe(empty.epoch);
  });
});

describe('the server lock', () => {
  it('a server does not start while a restore holds the database', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'chatter.db');
    // Another process holds the maintenance lock, as a restore in progress does.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3';
         const db = new Database(${JSON.stringify(`${file}.lock`)});
         db.prepare('BEGIN EXCLUSIVE').run();
         console.log('held');
         process.stdin.on('end', () => process.exit(0));
         process.stdin.resume();`,
      ],
      { cwd: SERVER_DIR, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(holder);
    await once(holder.stdout as NodeJS.ReadableStream, 'data');

    await expect(startTestServer({ dataDir })).rejects.toThrow(
      `${file} is being restored or maintained (${file}.lock is locked); start the server when that is done`,
    );
    holder.stdin?.end();
    await once(holder, 'exit');
    const server = await startTestServer({ dataDir });
    const { socket } = await connectAs(server.url);
    expect((await send(socket, 'general', 'after the restore')).seq).toBe(1);
  });
});
