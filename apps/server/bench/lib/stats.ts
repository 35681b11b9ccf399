/** Small statistics helpers: percentiles of samples and min/median/max over trials. */

/** The p-th percentile (0–100) of an ascending array; NaN when empty. */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
};

/** p50 and p99 of unsorted samples (sorted in place). */
export const latencyPercentiles = (samples: number[]): { p50: number; p99: number } => {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
};

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Min, median and max of one figure over several trials. */
export const spread = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? Number.NaN)
      : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted.at(-1) ?? Number.NaN };
};

/** Collects named figures trial after trial, for one contender. */
export class Trials {
  private readonly figures = new Map<string, number[]>();

  add(values: Record<string, number>): void {
    for (const [name, value] of Object.entries(values)) {
      const list = this.figures.get(name) ?? [];
      list.push(value);
      this.figures.set(name, list);
    }
  }

  get(name: string): Spread {
    return spread(this.figures.get(name) ?? []);
  }
}
