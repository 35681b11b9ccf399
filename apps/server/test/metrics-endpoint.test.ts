import { describe, expect, it } from 'vitest';
import { startCluster } from './cluster/cluster-helpers.js';
import { connectAs, nextEvent, startTestServer } from './helpers.js';

/** The value of one sample of the Prometheus text format, or undefined when it is absent. */
const sample = (text: string, name: string): number | undefined => {
  const line = text
    .split('\n')
    .find((each) => each.startsWith(`${name}{`) || each.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

const scrape = async (url: string): Promise<string> => {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};

describe('GET /metrics', () => {
  it('counts connections, rooms, messages stored and delivered, acknowledgements and commits', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    const cleo = await connectAs(url, 'Cleo');
    for (const { socket } of [ada, bob, cleo])
      await socket.emitWithAck('join', { room: 'general' });
    const delivered = Promise.all([bob, cleo].map(({ socket }) => nextEvent(socket, 'message')));
    await ada.socket.emitWithAck('message', { room: 'general', text: 'hello', clientId: 'm-1' });
    await delivered;

    const text = await scrape(url);
    expect(sample(text, 'chatter_connections')).toBe(3);
    expect(sample(text, 'chatter_rooms')).toBe(1);
    expect(sample(text, 'chatter_messages_stored_total')).toBe(1);
    // The sender has its message in the acknowledgement; the two others got a frame each.
    expect(sample(text, 'chatter_messages_delivered_total')).toBe(2);
    expect(sample(text, 'chatter_ack_latency_seconds_count')).toBe(1);
    expect(sample(text, 'chatter_store_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'chatter_store_batch_size_sum')).toBe(1);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{node="single"\} /m);
    // A single node has no Redis link to report.
    expect(sample(text, 'chatter_redis_link_up')).toBeUndefined();
  });

  it('counts, on each node of a cluster, the deliveries to its own sockets, and its Redis link', async () => {
    const { nodes } = await startCluster(2);
    const [a, b] = nodes;
    const ada = await connectAs(a.url, 'Ada');
    const receivers = await Promise.all(
      ['Bob', 'Cleo', 'Dan'].map((name) => connectAs(b.url, name)),
    );
    await ada.socket.emitWithAck('join', { room: 'general' });
    for (const { socket } of receivers) await socket.emitWithAck('join', { room: 'general' });
    const delivered = Promise.all(receivers.map(({ socket }) => nextEvent(socket, 'message')));
    await ada.socket.emitWithAck('message', { room: 'general', text: 'across', clientId: 'm-1' });
    await delivered;

    const [onA, onB] = [await scrape(a.url), await scrape(b.url)];
    expect(sample(onA, 'chatter_messages_stored_total')).toBe(1);
    expect(sample(onA, 'chatter_messages_delivered_total')).toBe(0);
    expect(sample(onB, 'chatter_messages_stored_total')).toBe(0);
    expect(sample(onB, 'chatter_messages_delivered_total')).toBe(3);
    expect(sample(onA, 'chatter_redis_link_up')).toBe(1);
    const nodeOf = (text: string) => text.match(/chatter_connections\{node="([^"]+)"\}/)?.[1];
    expect(nodeOf(onA)).toMatch(/^[0-9a-f-]{36}$/);
    expect(nodeOf(onA)).not.toBe(nodeOf(onB));
  });
});
