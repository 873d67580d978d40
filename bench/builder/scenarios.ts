import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_FILE_STEPS, APP_STEPS_BEFORE_SOURCES, changeOneSource } from './app-context';
import { BerthBuilder, berthStepTimes, BuildRun, cachedSteps, DockerBuilder } from './builders';
import { median, Scenario, SCENARIOS, ScenarioResult } from './report';
import { Workspace } from './workspace';

type RoundRuns = Record<Scenario, { berth: BuildRun; docker: BuildRun }>;

/** How many steps each builder must have reused, or the round did not measure what it claims. */
const EXPECTED_CACHED: Record<Scenario, number> = { cold: 0, rebuild: APP_FILE_STEPS, change: APP_STEPS_BEFORE_SOURCES };
/**
 * BuildKit keeps reusing WORKDIR's mkdir under --no-cache once its record exists (moby/moby#38255,
 * docker/compose#8285); it costs milliseconds, so one such step is tolerated in Docker's cold build.
 */
const DOCKER_COLD_TOLERANCE = 1;

/**
 * How Berth's cold build is made cold. `no-cache`: --no-cache on a data dir kept across rounds,
 * the same flag and the same long-lived store as Docker gets. `fresh`: a new data dir per round
 * holding only the base image; on this VM files created in a freshly made directory tree cost
 * ~3x more (measured), a penalty Docker's long-lived /var/lib/docker never pays.
 */
export type ColdMode = 'no-cache' | 'fresh';

export interface RoundsOptions {
  cold: ColdMode;
  rounds: number;
  /** Rounds run first and not counted (page cache, dockerd's first build). */
  warmup: number;
}

/**
 * Runs the three scenarios round after round on one context, each scenario as berth then docker.
 * (a) is cold on both sides (Docker with --no-cache, Berth as `options.cold` says); (b) and (c)
 * follow on the caches (a) filled. The base image is in both stores throughout.
 */
export async function runRounds(ws: Workspace, berth: BerthBuilder, docker: DockerBuilder, options: RoundsOptions): Promise<ScenarioResult[]> {
  const counted: RoundRuns[] = [];
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const runs = await runRound(ws, berth, docker, round, options.cold);
    const label = round < options.warmup ? `warm-up ${round + 1}/${options.warmup}` : `round ${round - options.warmup + 1}/${options.rounds}`;
    console.log(`${label.padEnd(12)} ${SCENARIOS.map(({ id }) => `${id} berth ${runs[id].berth.seconds.toFixed(2)}s docker ${runs[id].docker.seconds.toFixed(2)}s`).join(' | ')}`);
    for (const warning of cacheWarnings(runs)) console.log(`  WARNING: ${warning}`);
    if (round >= options.warmup) counted.push(runs);
  }
  return SCENARIOS.map(({ id }) => ({
    scenario: id,
    berth: counted.map((runs) => runs[id].berth.seconds),
    docker: counted.map((runs) => runs[id].docker.seconds),
    berthSteps: medianSteps(counted.map((runs) => berthStepTimes(runs[id].berth.output))),
  }));
}

async function runRound(ws: Workspace, berth: BerthBuilder, docker: DockerBuilder, round: number, cold: ColdMode): Promise<RoundRuns> {
  const fresh = cold === 'fresh';
  const dataDir = fresh ? path.join(ws.root, `berth-data-round-${round}`) : ws.berthData;
  if (fresh) await berth.cloneDataDir(ws.berthTemplate, dataDir);
  try {
    const both = async (noCache: boolean) => ({
      berth: await berth.build(dataDir, ws.appContext, ws.appTag, { noCache: noCache && !fresh }),
      docker: await docker.build(ws.appContext, ws.appTag, { noCache }),
    });
    const cold = await both(true);
    const rebuild = await both(false);
    await changeOneSource(ws.appContext, round + 1);
    const change = await both(false);
    return { cold, rebuild, change };
  } finally {
    if (fresh) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function cacheWarnings(runs: RoundRuns): string[] {
  const warnings: string[] = [];
  for (const { id } of SCENARIOS) {
    for (const builder of ['berth', 'docker'] as const) {
      const cached = cachedSteps(builder, runs[id][builder].output);
      const tolerated = builder === 'docker' && id === 'cold' && cached <= DOCKER_COLD_TOLERANCE;
      if (cached !== EXPECTED_CACHED[id] && !tolerated) warnings.push(`${id}: ${builder} reused ${cached} steps, expected ${EXPECTED_CACHED[id]}; this round is not like for like`);
    }
  }
  return warnings;
}

/** Per-step medians across rounds, steps matched by position (the Dockerfile is the same). */
function medianSteps(rounds: Array<Array<{ step: string; seconds: number }>>): Array<{ step: string; seconds: number }> {
  if (rounds.length === 0) return [];
  return rounds[0].map((first, index) => ({ step: first.step, seconds: median(rounds.map((steps) => steps[index]?.seconds ?? 0)) }));
}
