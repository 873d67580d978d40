import { median, printTable, SummaryRow } from '../builder/report';
import { DockerDeploy } from './docker-side';
import { BerthPush } from './berth-side';

export const TARGET_SECONDS = 3;

export interface RoundResult {
  berth: BerthPush;
  docker: DockerDeploy;
}

/**
 * Where a push's time goes: each phase ends at the first build-log line that matches (stamped
 * as the worker wrote it, see BuildLogWatch), after the previous phase's line; the last one
 * ends when git exits. A phase whose line is missing counts as zero, its time in the next.
 */
const PHASES: Array<{ name: string; endsAt: RegExp | null }> = [
  { name: 'git sends, receive-pack + hook, api enqueues, worker starts', endsAt: /^-----> Building / },
  { name: 'build with Berth\'s builder', endsAt: /^-----> Built / },
  { name: 'release vN (Procfile, DB)', endsAt: /^-----> Releasing / },
  { name: 'publish the tag', endsAt: /^-----> Pulling / },
  { name: 'docker pull from Berth\'s registry', endsAt: /^-----> Starting / },
  { name: 'start the container, health check', endsAt: /is healthy$/ },
  { name: 'mark instances', endsAt: /^-----> Switching traffic/ },
  { name: 'routers switch and drain', endsAt: /^-----> (Stopping|v\d+ is live)/ },
  { name: 'stop and remove the old container', endsAt: /^-----> v\d+ is live/ },
  { name: 'after "live": api sees it, hook exits, git ends', endsAt: null },
];

export function berthPhases(push: BerthPush): number[] {
  const durations: number[] = [];
  let previous = 0;
  let from = 0;
  for (const phase of PHASES) {
    const index = phase.endsAt === null ? -1 : push.log.findIndex((line, position) => position >= from && phase.endsAt!.test(line.text));
    const end = phase.endsAt === null ? push.seconds : index >= 0 ? push.log[index].at : previous;
    durations.push(end - previous);
    if (index >= 0) from = index + 1;
    previous = end;
  }
  return durations;
}

/**
 * One push's timeline: the build log as the worker wrote it, and git's own lines (those the
 * log does not have, such as the api's "queued" line) as the pusher saw them, marked `git>`.
 */
export function printTimeline(push: BerthPush): void {
  console.log(`\nTimeline of the median push (${push.seconds.toFixed(2)}s; seconds since git push started):`);
  const logged = new Set(push.log.map((line) => line.text.trim()));
  const gitOnly = push.lines.filter((line) => !logged.has(line.text.trim())).map((line) => ({ at: line.at, text: `git> ${line.text}` }));
  const merged = [...push.log, ...gitOnly].sort((a, b) => a.at - b.at);
  for (const line of merged) console.log(`  ${line.at.toFixed(3).padStart(6)}  ${line.text.slice(0, 110)}`);
  console.log(`  ${push.seconds.toFixed(3).padStart(6)}  (git push exits)`);
}

export function printResults(results: RoundResult[]): void {
  const berth = median(results.map((r) => r.berth.seconds));
  const docker = median(results.map((r) => r.docker.seconds));
  console.log(`\nPush-to-live of a one-line index.html change, medians of ${results.length} alternating rounds\n`);
  printTable([
    ['flow', 'median s', 'min s', 'max s', 'berth/by hand', 'target', 'met'],
    ['berth: git push (build, release, deploy)', berth.toFixed(2), min(results.map((r) => r.berth.seconds)), max(results.map((r) => r.berth.seconds)), (berth / docker).toFixed(2), `< ${TARGET_SECONDS} s`, berth < TARGET_SECONDS ? 'yes' : 'NO'],
    ['by hand: docker build + run + wait + rm -f', docker.toFixed(2), min(results.map((r) => r.docker.seconds)), max(results.map((r) => r.docker.seconds)), '', '', ''],
  ]);
  console.log('\nEach round (seconds):');
  console.log(`  berth   ${results.map((r) => r.berth.seconds.toFixed(2)).join('  ')}`);
  console.log(`  by hand ${results.map((r) => r.docker.seconds.toFixed(2)).join('  ')}`);
  console.log('\nWhere Berth\'s push spends it (median per phase, from the build log as the worker wrote it):');
  const phases = results.map((r) => berthPhases(r.berth));
  printTable(PHASES.map((phase, index) => [`  ${phase.name}`, median(phases.map((p) => p[index])).toFixed(2)]));
  console.log('\nThe by-hand flow (median per step):');
  const steps: Array<keyof DockerDeploy> = ['build', 'run', 'ready', 'remove'];
  const titles = { build: 'docker build', run: 'docker run -d', ready: 'wait until GET / answers', remove: 'docker rm -f old' } as Record<string, string>;
  printTable(steps.map((step) => [`  ${titles[step]}`, median(results.map((r) => r.docker[step])).toFixed(2)]));
  const sorted = [...results].sort((a, b) => a.berth.seconds - b.berth.seconds);
  printTimeline(sorted[Math.floor((sorted.length - 1) / 2)].berth);
}

export function summaryRows(results: RoundResult[]): SummaryRow[] {
  const berth = median(results.map((r) => r.berth.seconds));
  const docker = median(results.map((r) => r.docker.seconds));
  return [
    {
      metric: `push-to-live, one-line change: berth git push ${berth.toFixed(2)}s / by hand with docker ${docker.toFixed(2)}s = ${(berth / docker).toFixed(2)}x`,
      value: `${berth.toFixed(2)} s`,
      target: `< ${TARGET_SECONDS} s`,
      met: berth < TARGET_SECONDS,
    },
  ];
}

const min = (values: number[]) => Math.min(...values).toFixed(2);
const max = (values: number[]) => Math.max(...values).toFixed(2);
