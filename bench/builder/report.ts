import fs from 'node:fs';

export type Scenario = 'cold' | 'rebuild' | 'change';

export const SCENARIOS: Array<{ id: Scenario; title: string }> = [
  { id: 'cold', title: '(a) cold build, no cache' },
  { id: 'rebuild', title: '(b) rebuild, nothing changed' },
  { id: 'change', title: '(c) rebuild, one source changed' },
];

/** Berth/Docker time ratio a scenario must reach. */
export const RATIO_TARGET = 1.0;
export const RSS_TARGET_MB = 200;

export interface ScenarioResult {
  scenario: Scenario;
  berth: number[];
  docker: number[];
  /** Median of Berth's own "Done in" time per step, in Dockerfile order. */
  berthSteps: Array<{ step: string; seconds: number }>;
}

export interface BigCopyResult {
  bytes: number;
  seconds: number;
  peakRssMb: number;
}

/** What scripts/run-bench.js prints in its summary. */
export interface SummaryRow {
  metric: string;
  value: string;
  target: string;
  met: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function scenarioRows(results: ScenarioResult[]): SummaryRow[] {
  return results.map((result) => {
    const ratio = median(result.berth) / median(result.docker);
    const title = SCENARIOS.find((scenario) => scenario.id === result.scenario)!.title;
    return {
      metric: `${title}: berth ${median(result.berth).toFixed(2)}s / docker ${median(result.docker).toFixed(2)}s`,
      value: `${ratio.toFixed(2)}x`,
      target: `<= ${RATIO_TARGET.toFixed(1)}x`,
      met: ratio <= RATIO_TARGET,
    };
  });
}

export function bigCopyRow(result: BigCopyResult): SummaryRow {
  return {
    metric: `COPY of a ${formatBytes(result.bytes)} file: berth peak RSS (build took ${result.seconds.toFixed(1)}s)`,
    value: `${result.peakRssMb.toFixed(0)} MB`,
    target: `< ${RSS_TARGET_MB} MB`,
    met: result.peakRssMb < RSS_TARGET_MB,
  };
}

export function printScenarioTable(results: ScenarioResult[], rounds: number): void {
  console.log(`\nBuilder benchmark: medians of ${rounds} alternating rounds (berth, docker, berth, docker, ...)\n`);
  const header = ['scenario', 'berth s', 'docker s', 'berth/docker', 'target', 'met'];
  const rows = results.map((result) => {
    const ratio = median(result.berth) / median(result.docker);
    const title = SCENARIOS.find((scenario) => scenario.id === result.scenario)!.title;
    return [title, median(result.berth).toFixed(2), median(result.docker).toFixed(2), ratio.toFixed(2), `<= ${RATIO_TARGET.toFixed(1)}`, ratio <= RATIO_TARGET ? 'yes' : 'NO'];
  });
  printTable([header, ...rows]);
  console.log('\nEach round (seconds):');
  for (const result of results) {
    console.log(`  ${result.scenario.padEnd(8)} berth  ${result.berth.map((s) => s.toFixed(2)).join('  ')}`);
    console.log(`  ${''.padEnd(8)} docker ${result.docker.map((s) => s.toFixed(2)).join('  ')}`);
  }
  console.log('\nWhere Berth spends it (median of its own per-step "Done in" times; the rest is the client, parsing, image write):');
  for (const result of results) printSteps(result);
}

function printSteps(result: ScenarioResult): void {
  const inSteps = result.berthSteps.reduce((sum, step) => sum + step.seconds, 0);
  const parts = result.berthSteps.filter((step) => step.seconds >= 0.005).map((step) => `${shorten(step.step)} ${step.seconds.toFixed(2)}`);
  console.log(`  ${result.scenario.padEnd(8)} ${parts.join(' | ')} | outside steps ${(median(result.berth) - inSteps).toFixed(2)}`);
}

export function printBigCopy(result: BigCopyResult): void {
  console.log(`\nCOPY of a ${formatBytes(result.bytes)} file with Berth: ${result.seconds.toFixed(1)}s, ` +
    `peak RSS of the berth process ${result.peakRssMb.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB: ${result.peakRssMb < RSS_TARGET_MB ? 'met' : 'NOT met'})`);
}

export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}`);
}

/** Writes the summary for scripts/run-bench.js when it asked for one. */
export function writeSummary(name: string, rows: SummaryRow[]): void {
  const file = process.env.BENCH_SUMMARY_FILE;
  if (file) fs.writeFileSync(file, JSON.stringify({ benchmark: name, rows }));
}

function shorten(instruction: string): string {
  return instruction.length > 22 ? `${instruction.slice(0, 21)}…` : instruction;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(0)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}
