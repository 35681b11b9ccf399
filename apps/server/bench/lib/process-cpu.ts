/**
 * Another process's CPU time from /proc (Linux), read without asking the process: the harness's
 * own report forces a GC, whose background sweeping would land in the next window measured.
 */
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of utime and stime in /proc/<pid>/stat, 100 on every Linux we run on.
const TICK_MS = 10;

/** User + system CPU of `pid` (all its threads) in ms, at a 10 ms resolution. */
export const cpuMsOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};

/**
 * Resolves once every process in `pids` spent at most `maxShare` of a core over one `windowMs`
 * window: what a fresh node still compiles and collects after it answers has settled. Gives up
 * (and resolves) after `maxMs`, since a busy machine must slow the bench down, not stop it.
 */
export const waitForIdle = async (
  pids: readonly number[],
  windowMs = 500,
  maxShare = 0.05,
  maxMs = 15_000,
): Promise<void> => {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const before = pids.map(cpuMsOf);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const busiest = Math.max(...pids.map((pid, i) => cpuMsOf(pid) - (before[i] ?? 0)));
    if (busiest <= maxShare * windowMs) return;
  }
};
