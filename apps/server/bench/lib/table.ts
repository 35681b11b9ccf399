/** Prints one table per part, and keeps every row with a target for the final summary. */
import type { Spread } from './stats.js';

/** Informative only: a missed target never changes the exit code. */
export interface Target {
  /** As printed, e.g. "≥ 5× naive" or "≤ 20 ms". */
  text: string;
  /** What the target is about: the ratio of medians, or Chatter's median itself. */
  of: 'ratio' | 'chatter';
  met: (value: number) => boolean;
}

/** Chatter's median over the baseline's at most `limit`, e.g. ratioAtMost(1.1, 'bare'). */
export const ratioAtMost = (limit: number, baseline: string): Target => ({
  text: `≤ ${limit}× ${baseline}`,
  of: 'ratio',
  met: (ratio) => ratio <= limit,
});

export const ratioAtLeast = (limit: number, baseline: string): Target => ({
  text: `≥ ${limit}× ${baseline}`,
  of: 'ratio',
  met: (ratio) => ratio >= limit,
});

/** Chatter's median itself at most `limit` (in the row's unit). */
export const valueAtMost = (limit: number, text = `≤ ${limit} ms`): Target => ({
  text,
  of: 'chatter',
  met: (value) => value <= limit,
});

export interface Row {
  figure: string;
  chatter: Spread;
  /** The baseline's name, e.g. "naive"; omitted when the figure has no baseline. */
  baselineName?: string;
  baseline?: Spread;
  target?: Target;
}

export interface PartResult {
  /** Short, e.g. "ingest 200×2"; prefixes the rows in the summary. */
  part: string;
  /** The run's sizes, printed with the table only. */
  note?: string;
  rows: Row[];
  /** Findings that are sentences rather than figures, printed under the table. */
  facts?: string[];
}

export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
};

const triple = (s: Spread | undefined) =>
  s ? `${formatNumber(s.min)} / ${formatNumber(s.median)} / ${formatNumber(s.max)}` : '';

export const ratioOf = (row: Row): number =>
  row.baseline ? row.chatter.median / row.baseline.median : Number.NaN;

const targetValue = (row: Row): number =>
  row.target?.of === 'ratio' ? ratioOf(row) : row.chatter.median;

const verdict = (row: Row): string => {
  if (!row.target) return '';
  return row.target.met(targetValue(row)) ? 'yes' : 'NO';
};

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export const renderTable = (header: string[], lines: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
};

/** The table of one part: figure | chatter min/median/max | baseline ... | ratio | target. */
export const printPart = ({ part, note, rows, facts = [] }: PartResult): void => {
  const header = [
    'figure',
    'chatter min / median / max',
    'baseline',
    'baseline min / median / max',
    'ratio (median)',
    'target',
    'met',
  ];
  const lines = rows.map((row) => [
    row.figure,
    triple(row.chatter),
    row.baselineName ?? '',
    triple(row.baseline),
    Number.isFinite(ratioOf(row)) ? `${ratioOf(row).toFixed(2)}×` : '',
    row.target?.text ?? '',
    verdict(row),
  ]);
  console.log(`\n== ${part}${note ? ` (${note})` : ''}`);
  if (rows.length > 0) console.log(renderTable(header, lines));
  for (const fact of facts) console.log(`- ${fact}`);
};

/** One line per row that has a target, across every part run. */
export const printSummary = (results: PartResult[]): void => {
  const lines: string[][] = [];
  for (const { part, rows } of results) {
    for (const row of rows) {
      if (!row.target) continue;
      const value =
        row.target.of === 'ratio'
          ? `${ratioOf(row).toFixed(2)}× ${row.baselineName ?? ''}`
          : formatNumber(row.chatter.median);
      lines.push([`${part}: ${row.figure}`, value, row.target.text, verdict(row)]);
    }
  }
  console.log('\n== summary (medians; targets are informative, never a failure)');
  console.log(renderTable(['figure', 'chatter: ratio or median', 'target', 'met'], lines));
};
