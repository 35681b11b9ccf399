/** What an abuse case is, and what it gets to work with. */
import type { HarnessReport } from '../../bench/lib/harness.js';

export interface CaseServer {
  url: string;
  pid: number;
  dataDir: string;
  /** The server's figures (memory after a forced GC, open connections, loop delay so far). */
  report(): Promise<HarnessReport>;
  /** The server's counters (`connections`: open Engine.IO connections), without a GC. */
  counters(): Promise<Record<string, number>>;
}

export interface CaseOutcome {
  /** What happened, in counts, e.g. "20 created, 19,980 × 429". */
  happened: string;
  held: boolean;
  /** Why it did not hold, when it did not. */
  why?: string;
}

export interface AbuseCase {
  /** Short name to pick it on the command line, e.g. `typing`. */
  name: string;
  /** The abuse, as the issue words it. */
  title: string;
  /** Environment on top of the suite's (secret, data directory, LOG_LEVEL=error). */
  env?: Record<string, string>;
  /** Extra Node flags for the server process. */
  nodeArgs?: readonly string[];
  run(server: CaseServer): Promise<CaseOutcome>;
}

/** "held" when every check passed; otherwise the failed checks' descriptions, joined. */
export const verdict = (happened: string, checks: Record<string, boolean>): CaseOutcome => {
  const failed = Object.entries(checks)
    .filter(([, passed]) => !passed)
    .map(([check]) => check);
  return failed.length === 0
    ? { happened, held: true }
    : { happened, held: false, why: failed.join('; ') };
};

export const count = (value: number): string => Math.round(value).toLocaleString('en-US');
