/** The server's resident memory, read from /proc while a case runs (Linux). */
import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

/** VmRSS of `pid` in MiB; NaN where /proc is not there. */
export const rssOf = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : (Number(kb) * 1024) / MiB;
  } catch {
    return Number.NaN;
  }
};

export interface RssWatch {
  /** The highest RSS sampled (MiB) since the watch started, or within [fromMs, toMs) of it. */
  peak(fromMs?: number, toMs?: number): number;
  stop(): number;
}

/** Samples RSS every 100 ms. */
export const watchRss = (pid: number): RssWatch => {
  const started = performance.now();
  const samples: Array<{ at: number; rss: number }> = [];
  const sample = () => samples.push({ at: performance.now() - started, rss: rssOf(pid) });
  sample();
  const timer = setInterval(sample, 100);
  const peak = (fromMs = 0, toMs = Number.POSITIVE_INFINITY) =>
    samples.reduce(
      (highest, { at, rss }) => (at >= fromMs && at < toMs ? Math.max(highest, rss) : highest),
      Number.NEGATIVE_INFINITY,
    );
  return {
    peak,
    stop: () => {
      clearInterval(timer);
      sample();
      return peak();
    },
  };
};

export const mib = (bytes: number): number => bytes / MiB;
