/**
 * A separate process appending to a shared MongoDB database, for the multi-process test in
 * `mongo-store.test.ts`. Run as `node --import tsx mongo-writer.ts <uri> <room> <writer> <count>`.
 *
 * It opens the store, prints `ready`, waits for its stdin to close (the parent's starting
 * signal, so all writers contend at once), appends `count` messages and prints their seqs as
 * JSON. Every fifth message is sent twice with the same clientId; a retry that is not the
 * original fails the process.
 */
import { once } from 'node:events';
import { openTestStore } from './mongo-test-db.js';

const [uri, room, writer, countArg] = process.argv.slice(2);
if (!uri || !room || !writer || !countArg) {
  throw new Error('usage: mongo-writer.ts <uri> <room> <writer> <count>');
}

const store = await openTestStore(uri);
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
}
await store.close();
process.stdout.write(`${JSON.stringify(seqs)}\n`);
