import { median, printTable, SummaryRow } from '../builder/report';
import { Label, Operation, RoundRuns } from './rounds';

export const RATIO_TARGET = 1.0;
const OPERATIONS: Operation[] = ['push', 'pull'];
const LABELS: Label[] = ['berth', 'reference'];

interface OperationMedians {
  operation: Operation;
  seconds: Record<Label, number>;
  serverCpu: Record<Label, number>;
  ratio: number;
}

function medians(runs: RoundRuns[]): OperationMedians[] {
  return OPERATIONS.map((operation) => {
    const of = (label: Label, key: 'seconds' | 'serverCpu') => median(runs.map((round) => round[label][operation][key]));
    const seconds = { berth: of('berth', 'seconds'), reference: of('reference', 'seconds') };
    const serverCpu = { berth: of('berth', 'serverCpu'), reference: of('reference', 'serverCpu') };
    return { operation, seconds, serverCpu, ratio: seconds.berth / seconds.reference };
  });
}

export function printResults(runs: RoundRuns[], imageBytes: number): void {
  const mb = imageBytes / 1e6;
  console.log(`\nRegistry benchmark: skopeo copy of a ${(imageBytes / 1024 / 1024).toFixed(0)} MiB image, medians of ${runs.length} rounds\n`);
  const header = ['op', 'berth s', 'reference s', 'berth/reference', 'berth MB/s', 'reference MB/s', 'server CPU s berth', 'server CPU s reference', 'target', 'met'];
  const rows = medians(runs).map((m) => [
    m.operation,
    m.seconds.berth.toFixed(2),
    m.seconds.reference.toFixed(2),
    m.ratio.toFixed(3),
    (mb / m.seconds.berth).toFixed(0),
    (mb / m.seconds.reference).toFixed(0),
    m.serverCpu.berth.toFixed(2),
    Number.isNaN(m.serverCpu.reference) ? '?' : m.serverCpu.reference.toFixed(2),
    `<= ${RATIO_TARGET.toFixed(1)}`,
    m.ratio <= RATIO_TARGET ? 'yes' : 'NO',
  ]);
  printTable([header, ...rows]);
  const paired = (operation: Operation) => median(runs.map((round) => round.berth[operation].seconds / round.reference[operation].seconds)).toFixed(3);
  console.log(`\nPaired: median of the per-round berth/reference ratios (each round runs both back to back): push ${paired('push')}, pull ${paired('pull')}`);
  console.log('\nEach round (seconds):');
  for (const operation of OPERATIONS) {
    for (const label of LABELS) {
      console.log(`  ${operation} ${label.padEnd(9)} ${runs.map((round) => round[label][operation].seconds.toFixed(2)).join('  ')}`);
    }
  }
  console.log('\nserver CPU: user+system seconds of the registry process during the copy (Berth: the bench process, which hosts its api).');
}

export function summaryRows(runs: RoundRuns[], imageBytes: number): SummaryRow[] {
  const size = `${(imageBytes / 1024 / 1024).toFixed(0)} MiB`;
  return medians(runs).map((m) => ({
    metric: `${m.operation} ${size}: berth ${m.seconds.berth.toFixed(2)}s / reference ${m.seconds.reference.toFixed(2)}s`,
    value: `${m.ratio.toFixed(3)}x`,
    target: `<= ${RATIO_TARGET.toFixed(1)}x`,
    met: m.ratio <= RATIO_TARGET,
  }));
}
