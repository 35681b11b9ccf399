/**
 * Forked by startHealthProbe (clients.ts): GETs <url>/healthz every <interval> ms, one request at
 * a time, until the parent sends "stop"; then replies with p50/p99 and exits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { latencyPercentiles } from './stats.js';

const [url, interval = '20'] = process.argv.slice(2);
const intervalMs = Number(interval);
const samples: number[] = [];
let failures = 0;
let running = true;

process.on('message', () => {
  running = false;
});
process.on('disconnect', () => process.exit(0));

// Bounded: a probe never outlives ten minutes even if the parent forgets to stop it.
const deadline = performance.now() + 600_000;
while (running && performance.now() < deadline) {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    if (!response.ok) failures += 1;
    samples.push(performance.now() - started);
  } catch {
    failures += 1;
  }
  await sleep(Math.max(0, intervalMs - (performance.now() - started)));
}
const { p50, p99 } = latencyPercentiles(samples);
process.send?.({ p50, p99, count: samples.length, failures }, () => process.exit(0));
