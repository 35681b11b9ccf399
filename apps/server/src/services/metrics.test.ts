import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

const CHATTER_METRICS = [
  'chatter_connections',
  'chatter_rooms',
  'chatter_messages_stored_total',
  'chatter_messages_delivered_total',
  'chatter_ack_latency_seconds',
  'chatter_store_commit_seconds',
  'chatter_store_batch_size',
  'chatter_redis_link_up',
];

/** The value of the one sample `name{labels}`, where `labels` is the start of its label set. */
const sample = (body: string, name: string, labels: string): number | undefined => {
  const line = body.split('\n').find((each) => each.startsWith(`${name}{${labels}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

const countByType = (resources: readonly string[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const type of resources) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
};

describe('createMetrics', () => {
  it('renders every chatter metric and the default ones, each sample labelled with the node', async () => {
    const metrics = createMetrics({ nodeId: 'node-a' });
    metrics.setRedisLinkUp(true);
    const { contentType, body } = await metrics.render();
    metrics.close();

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [...CHATTER_METRICS, 'nodejs_eventloop_lag_p99_seconds']) {
      expect(body).toContain(`# TYPE ${name} `);
      expect(body).toMatch(new RegExp(`^${name}(_bucket|_sum|_count)?\\{.*node="node-a"`, 'm'));
    }
    const samples = body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(samples.length).toBeGreaterThan(CHATTER_METRICS.length);
    expect(samples.filter((line) => !line.includes('node="node-a"'))).toEqual([]);
  });

  it('counts histogram observations into their buckets', async () => {
    const metrics = createMetrics({ nodeId: 'n' });
    metrics.ackLatency(0.003);
    metrics.ackLatency(0.0004);
    metrics.observeCommit(0.002, 7);
    metrics.observeCommit(0.02, 300);
    const { body } = await metrics.render();
    metrics.close();

    expect(sample(body, 'chatter_ack_latency_seconds_bucket', 'le="0.0005"')).toBe(1);
    expect(sample(body, 'chatter_ack_latency_seconds_bucket', 'le="0.005"')).toBe(2);
    expect(sample(body, 'chatter_ack_latency_seconds_bucket', 'le="5"')).toBe(2);
    expect(sample(body, 'chatter_ack_latency_seconds_count', '')).toBe(2);
    expect(sample(body, 'chatter_store_commit_seconds_bucket', 'le="0.0025"')).toBe(1);
    expect(sample(body, 'chatter_store_commit_seconds_count', '')).toBe(2);
    expect(sample(body, 'chatter_store_batch_size_bucket', 'le="8"')).toBe(1);
    expect(sample(body, 'chatter_store_batch_size_bucket', 'le="512"')).toBe(2);
    expect(sample(body, 'chatter_store_batch_size_sum', '')).toBe(307);
  });

  it('counts stored messages and each local recipient of a delivery', async () => {
    const metrics = createMetrics({ nodeId: 'n' });
    metrics.messageStored();
    metrics.messageStored();
    metrics.delivered(3);
    metrics.delivered(0);
    metrics.delivered(2);
    const { body } = await metrics.render();
    metrics.close();

    expect(sample(body, 'chatter_messages_stored_total', '')).toBe(2);
    expect(sample(body, 'chatter_messages_delivered_total', '')).toBe(5);
  });

  it('reads the watched connection and room counts at each scrape', async () => {
    const metrics = createMetrics({ nodeId: 'n' });
    let connections = 3;
    metrics.watchConnections(() => connections);
    metrics.watchRooms(() => connections - 1);
    expect(sample((await metrics.render()).body, 'chatter_connections', '')).toBe(3);
    connections = 8;
    const { body } = await metrics.render();
    metrics.close();

    expect(sample(body, 'chatter_connections', '')).toBe(8);
    expect(sample(body, 'chatter_rooms', '')).toBe(7);
  });

  it('reports no Redis link until one is set, then 1 while up and 0 while down', async () => {
    const metrics = createMetrics({ nodeId: 'n' });
    expect((await metrics.render()).body).not.toContain('chatter_redis_link_up');
    metrics.setRedisLinkUp(true);
    expect(sample((await metrics.render()).body, 'chatter_redis_link_up', '')).toBe(1);
    metrics.setRedisLinkUp(false);
    expect(sample((await metrics.render()).body, 'chatter_redis_link_up', '')).toBe(0);
    metrics.close();
  });

  it('keeps the counts of several nodes in one process apart', async () => {
    const a = createMetrics({ nodeId: 'a' });
    const b = createMetrics({ nodeId: 'b' });
    a.messageStored();
    const [bodyA, bodyB] = [(await a.render()).body, (await b.render()).body];
    a.close();
    b.close();

    expect(sample(bodyA, 'chatter_messages_stored_total', 'node="a"')).toBe(1);
    expect(sample(bodyB, 'chatter_messages_stored_total', 'node="b"')).toBe(0);
    expect(bodyB).toContain('nodejs_eventloop_lag_seconds{node="b"}');
  });

  it('leaves no handles or event-loop monitors behind when created and closed many times', async () => {
    // The first one in the process sets up the shared default metrics; that is not a leak.
    createMetrics({ nodeId: 'warm-up' }).close();
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    await settled();
    const before = countByType(process.getActiveResourcesInfo());
    // An event-loop delay monitor is not an active resource, but it is an async resource.
    let monitorsStarted = 0;
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'ELDHISTOGRAM') monitorsStarted += 1;
      },
    }).enable();
    try {
      for (let i = 0; i < 50; i++) {
        const metrics = createMetrics({ nodeId: `node-${i}` });
        metrics.watchConnections(() => i);
        await metrics.render();
        metrics.close();
      }
    } finally {
      hook.disable();
    }
    // A scrape measures the event-loop lag in a setImmediate of its own.
    await settled();
    const after = countByType(process.getActiveResourcesInfo());

    expect(monitorsStarted).toBe(0);
    const grown = [...after].filter(([type, count]) => count > (before.get(type) ?? 0));
    expect(grown).toEqual([]);
  });
});
