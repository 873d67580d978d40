import fs from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../builder/process';
import { BaseLayer, LAYOUT_REF, RoundImage, writeRoundImage } from './oci-image';
import { BenchTarget } from './targets';

export const SKOPEO = '/usr/bin/skopeo';
const REPOSITORY = 'bench/big';

export type Operation = 'push' | 'pull';
export type Label = BenchTarget['label'];

export interface OpRun {
  /** Wall time of the skopeo process, spawn to exit. */
  seconds: number;
  /** CPU seconds the registry's server process spent meanwhile. */
  serverCpu: number;
}

export type RoundRuns = Record<Label, Record<Operation, OpRun>>;

export interface RoundsOptions {
  rounds: number;
  warmup: number;
  layerBytes: number;
}

/**
 * skopeo, the same binary and flags for both registries: plain HTTP on loopback, the token or
 * password as Basic credentials, an auth file of its own, no signature policy, no retries.
 */
export class Skopeo {
  constructor(private readonly authFile: string) {}

  async copy(target: BenchTarget, source: string, destination: string): Promise<number> {
    const creds = `${target.registry.username}:${target.registry.password}`;
    const side = source.startsWith('docker://') ? 'src' : 'dest';
    const args = ['--insecure-policy', 'copy', '--retry-times', '0', `--${side}-tls-verify=false`, `--${side}-creds`, creds, source, destination];
    const result = await runCommand(SKOPEO, args, { env: { ...process.env, REGISTRY_AUTH_FILE: this.authFile } });
    if (result.code !== 0) throw new Error(`skopeo copy ${source} ${destination} against ${target.label} failed (exit ${result.code ?? result.signal}):\n${result.stderr.trim()}`);
    return result.seconds;
  }
}

/**
 * Each round makes a new image (fresh random layer), then pushes it to one registry and pulls it
 * back, then the same with the other; which registry goes first alternates from round to round.
 * A pull never directly follows the other registry's push: when it did (push, push, pull,
 * pull), whichever registry pulled first was slower, Berth by a median 22% over 15 rounds and
 * docker-registry by 4%, the aftermath of the other's 200 MiB upload landing in the timed copy.
 */
export async function runRounds(workDir: string, targets: BenchTarget[], base: BaseLayer, skopeo: Skopeo, options: RoundsOptions): Promise<RoundRuns[]> {
  const counted: RoundRuns[] = [];
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    const image = await writeRoundImage(path.join(workDir, `image-${round}`), base, options.layerBytes, round);
    try {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const runs = await runRound(workDir, order, image, skopeo, round);
      const label = round < options.warmup ? `warm-up ${round + 1}/${options.warmup}` : `round ${round - options.warmup + 1}/${options.rounds}`;
      console.log(`${label.padEnd(12)} ${order.map((t) => `${t.label} push ${runs[t.label].push.seconds.toFixed(2)}s pull ${runs[t.label].pull.seconds.toFixed(2)}s`).join(' | ')}`);
      if (round >= options.warmup) counted.push(runs);
    } finally {
      await fs.rm(image.dir, { recursive: true, force: true });
    }
  }
  return counted;
}

async function runRound(workDir: string, order: BenchTarget[], image: RoundImage, skopeo: Skopeo, round: number): Promise<RoundRuns> {
  const runs = {} as RoundRuns;
  const remote = (target: BenchTarget) => `docker://${target.registry.host}/${REPOSITORY}:r${round}`;
  for (const target of order) {
    const push = await timed(target, () => skopeo.copy(target, `oci:${image.dir}:${LAYOUT_REF}`, remote(target)));
    const pulled = path.join(workDir, `pulled-${target.label}-${round}`);
    try {
      const pull = await timed(target, () => skopeo.copy(target, remote(target), `oci:${pulled}:${LAYOUT_REF}`));
      await verifyPulled(pulled, image, target.label);
      runs[target.label] = { push, pull };
    } finally {
      await fs.rm(pulled, { recursive: true, force: true });
    }
  }
  return runs;
}

async function timed(target: BenchTarget, run: () => Promise<number>): Promise<OpRun> {
  // Dirty pages the bench left (the round's new 200 MiB image, the other registry's push, a
  // pulled layout just removed) are written out first, not during and into the timed copy; they
  // were one reason the registry going first in a round pulled slower than the second.
  await runCommand('sync', []);
  const before = target.cpuSeconds();
  const seconds = await run();
  return { seconds, serverCpu: target.cpuSeconds() - before };
}

/** The pulled layout has the pushed manifest (same digest: nothing converted) and the whole big layer. */
async function verifyPulled(dir: string, image: RoundImage, label: Label): Promise<void> {
  const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const digest = index.manifests[0]?.digest;
  if (digest !== image.manifestDigest) throw new Error(`${label}: pulled manifest ${digest}, pushed ${image.manifestDigest}`);
  const { size } = await fs.stat(path.join(dir, 'blobs', 'sha256', image.bigLayer.digest.slice(7)));
  if (size !== image.bigLayer.size) throw new Error(`${label}: pulled big layer has ${size} bytes, pushed ${image.bigLayer.size}`);
}
