/** The suite's closing table and verdict lines. */
import { formatNumber, renderTable } from '../../bench/lib/table.js';
import type { BystanderFigures } from './bystander.js';
import type { AbuseCase, CaseOutcome } from './case.js';

export interface Result {
  abuse: AbuseCase;
  outcome: CaseOutcome;
  seconds: number;
  /** MiB: after a GC before the case, the highest sampled while it ran, after a GC at the end. */
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** Event-loop delay over the case, ms. */
  loopP50: number;
  loopP99: number;
  bystander: BystanderFigures | undefined;
}

const bystanderCell = (figures: BystanderFigures | undefined): string => {
  if (!figures || figures.sent === 0) return '-';
  const failed = figures.failed > 0 ? `, ${figures.failed} failed` : '';
  return `${formatNumber(figures.p50)} / ${formatNumber(figures.p99)} (n=${figures.sent}${failed})`;
};

export const printResults = (results: Result[]): void => {
  console.log('\n== abuse suite');
  console.log(
    renderTable(
      [
        'case',
        'RSS MiB before → peak → after',
        'loop delay p50 / p99 ms',
        'bystander send→ack p50 / p99 ms',
        's',
        'verdict',
      ],
      results.map((r) => [
        r.abuse.name,
        `${formatNumber(r.rssBefore)} → ${formatNumber(r.rssPeak)} → ${formatNumber(r.rssAfter)}`,
        `${formatNumber(r.loopP50)} / ${formatNumber(r.loopP99)}`,
        bystanderCell(r.bystander),
        r.seconds.toFixed(0),
        r.outcome.held ? 'held' : 'DID NOT HOLD',
      ]),
    ),
  );
  console.log('\n== what happened');
  for (const { abuse, outcome } of results) {
    console.log(`${outcome.held ? 'held        ' : 'DID NOT HOLD'}  ${abuse.name}: ${abuse.title}`);
    console.log(`              ${outcome.happened}`);
    if (outcome.why) console.log(`              not held: ${outcome.why}`);
  }
  const failed = results.filter((r) => !r.outcome.held).length;
  console.log(
    `\n${results.length - failed} held, ${failed} did not hold${failed > 0 ? ' (exit 1)' : ''}`,
  );
};
