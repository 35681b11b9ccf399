/**
 * A separate process appending to a shared store, for the multi-process tests of each backend.
 * Run as `node --import tsx store-writer.ts <sqlite|mongodb> <file or uri> <room> <writer> <count>`.
 *
 * It opens the store, prints `ready`, waits for its stdin to close (the parent's starting
 * signal, so all writers contend at once), appends `count` messages and prints their seqs as
 * JSON. Every fifth message is sent twice with the same clientId; a retry that is not the
 * original fails the process.
 */
import { once } from 'node:events';
import type { ChatStore } from '../../src/store/chat-store.js';

const [backend, target, room, writer, countArg] = process.argv.slice(2);
if (!backend || !target || !room || !writer || !countArg) {
  throw new Error('usage: store-writer.ts <sqlite|mongodb> <file or uri> <room> <writer> <count>');
}

const open = async (): Promise<ChatStore> => {
  if (backend === 'sqlite') {
    const { SqliteChatStore } = await import('../../src/store/sqlite-store.js');
    return new SqliteChatStore(target);
  }
  if (backend === 'mongodb') {
    const { openTestStore } = await import('./mongo-test-db.js');
    return openTestStore(target);
  }
  throw new Error(`unknown backend ${backend}`);
};

const store = await open();
process.stdout.write('ready\n');
process.stdin.resume();
await once(process.stdin, 'end');

const author = { id: `user-${writer}`, name: writer };
const seqs: number[] = [];
for (let index = 1; index <= Number(countArg); index += 1) {
  const input = { room, author, text: `${writer} ${index}`, clientId: `${writer}-${index}` };
  const { message, created } = await store.appendMessage(input);
  if (!created) throw new Error(`${input.clientId} was not new`);
  if (index % 5 === 0) {
    const retry = await store.appendMessage(input);
    if (retry.created || retry.message.id !== message.id || retry.message.seq !== message.seq) {
      throw new Error(`retry of ${input.clientId} did not return the original`);
    }
  }
  seqs.push(message.seq);
  // A server appends between network events, not in one tight loop; pausing lets the other
  // writers take their turn in between, so their appends interleave.
  await new Promise((resolve) => setTimeout(resolve, index % 3));
}
await store.close();
process.stdout.write(`${JSON.stringify(seqs)}\n`);
