/** Sizes and trial counts, from the environment; BENCH_QUICK=1 (or --quick) shrinks them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const QUICK =
  ['1', 'true'].includes(process.env.BENCH_QUICK ?? '') || process.argv.includes('--quick');

/** A whole number from `name` in the environment, else `full` (or `quick` in quick mode). */
export const envNumber = (name: string, full: number, quick = full): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/** Trials per contender, run interleaved (chatter, baseline, baseline, chatter, ...). */
export const TRIALS = envNumber('BENCH_TRIALS', 3, 1);

export const tempDir = (label: string): string =>
  mkdtempSync(path.join(tmpdir(), `chatter-bench-${label}-`));

export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/**
 * The contenders in a trial's order: each trial starts with the next one (Chatter first, then the
 * baseline first, …), so drift in the machine's speed hits them all alike.
 */
export const interleaved = <T>(trial: number, ...contenders: T[]): T[] => {
  const shift = trial % contenders.length;
  return [...contenders.slice(shift), ...contenders.slice(0, shift)];
};
