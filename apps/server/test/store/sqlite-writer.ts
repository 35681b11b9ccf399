/**
 * A separate process appending to a shared SQLite file, for the multi-process test in
 * `sqlite-store.test.ts`. Run as `node --import tsx sqlite-writer.ts <file> <room> <writer> <count>`.
 *
 * It opens the store, prints `ready`, waits for its stdin to close (the parent's starting
 * signal, so all writers contend at once), appends `count` messages and prints their seqs as
 * JSON. Every fifth message is sent twice with the same clientId; a retry that is not the
 * original fails the process.
 */
import { once } from 'node:events';
import { SqliteChatStore } from '../../src/store/sqlite-store.js';

const [file, room, writer, countArg] = process.argv.slice(2);
if (!file || !room || !writer || !countArg) {
  throw new Error('usage: sqlite-writer.ts <file> <room> <writer> <count>');
}

const store = new SqliteChatStore(file);
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
  // writers take the lock in between, so their transactions interleave.
  await new Promise((resolve) => setTimeout(resolve, index % 3));
}
await store.close();
process.stdout.write(`${JSON.stringify(seqs)}\n`);
