import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it, TestContext } from 'node:test';
import { CASES } from './cases';
import { DOCKER } from './support/builders';
import { ConformanceCase } from './support/case';
import { compareImages, Difference, formatDifference, ImageView } from './support/compare';
import { expectedView } from './support/hand-written';
import { CaseResult, ConformanceHarness } from './support/harness';
import { EXPECTED_DIFFERENCES, expectedDifference, knownFailure } from './support/known-differences';

/**
 * Builds every case with Berth and with Docker 20.10's BuildKit, and compares the flattened file
 * systems and image configs. Accepted differences live in support/known-differences.ts only.
 */
const skip = skipReason();

describe('builder conformance: Berth against Docker BuildKit', { skip }, () => {
  let harness: ConformanceHarness | undefined;
  const started = Date.now();
  const results: Array<{ name: string; result: CaseResult }> = [];

  before(async () => {
    process.umask(0o022); // context files and dirs get predictable modes
    // Measured on 2 cores (see README.md): 3 docker + 2 berth builds at a time finish first.
    harness = await ConformanceHarness.start(CASES, { dockerConcurrency: 3, berthConcurrency: 2 });
  });

  after(async () => harness?.dispose());

  it('the base image is the same in Docker after berth image save | docker load, and BuildKit uses it without a pull', async () => {
    const { docker, berth } = harness!.baseViews!;
    assert.deepEqual(compareImages(docker, berth).map((d) => formatDifference(d)), []);
    assert.ok(berth.fs.get('bin/busybox')?.type === 'file' && berth.fs.get('bin/sh')?.type === 'symlink');
    const log = (await harness!.result(CASES[0])).docker?.log ?? '';
    assert.match(log, /load metadata for docker\.io\/library\/berth-conformance-busybox/);
    assert.doesNotMatch(log, /resolve docker\.io|pulling/i, 'BuildKit went to a registry for the base image');
  });

  for (const kase of CASES) {
    const known = knownFailure(kase.name);
    it(`${kase.name}: ${kase.covers}`, { todo: known && `known failure: ${known.reason}` }, async (t) => {
      const result = await harness!.result(kase);
      results.push({ name: kase.name, result });
      if (!known) return compareCase(t, kase, result, harness!.baseViews!.berth);
      // A known failure shows what still differs without failing the run (scripts/run-tests.js counts failed todos).
      try {
        compareCase(t, kase, result, harness!.baseViews!.berth);
        t.diagnostic('FIXED: this case passes now; remove it from KNOWN_FAILURES in support/known-differences.ts');
      } catch (error) {
        for (const line of (error as Error).message.split('\n')) t.diagnostic(line);
        t.diagnostic(`fix: ${known.fix}`);
      }
    });
  }

  it('reports build times and that every accepted difference is still needed', (t) => {
    const sum = (pick: (r: CaseResult) => number | undefined) => results.reduce((total, { result }) => total + (pick(result) ?? 0), 0);
    t.diagnostic(`${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)}s wall clock`);
    t.diagnostic(`docker build total ${(sum((r) => r.docker?.millis) / 1000).toFixed(1)}s, berth build total ${(sum((r) => r.berth.millis) / 1000).toFixed(1)}s`);
    const slowest = [...results].sort((a, b) => b.result.berth.millis - a.result.berth.millis).slice(0, 3);
    for (const { name, result } of slowest) t.diagnostic(`slow: ${name} berth ${result.berth.millis} ms, docker ${result.docker?.millis ?? '-'} ms`);
    const unused = EXPECTED_DIFFERENCES.filter((entry) => !usedDifferences.has(entry.id)).map((entry) => entry.id);
    if (results.length === CASES.length) assert.deepEqual(unused, [], 'accepted differences that no case showed: remove them');
  });
});

const usedDifferences = new Set<string>();

function compareCase(t: TestContext, kase: ConformanceCase, result: CaseResult, base: ImageView): void {
  assert.ok(result.berth.image, `berth build failed:\n${tail(result.berth.log)}`);
  let reference: ImageView;
  if (kase.expected) {
    reference = expectedView(base, kase.expected);
  } else {
    assert.ok(result.docker?.image, `docker build failed (a problem with the case itself):\n${tail(result.docker?.log ?? '')}`);
    reference = result.docker.image;
  }
  const label = kase.expected ? 'expected' : 'docker';
  const unexpected: Difference[] = [];
  const accepted = new Map<string, string[]>();
  for (const difference of compareImages(reference, result.berth.image)) {
    const entry = kase.expected ? undefined : expectedDifference(kase.name, difference);
    if (!entry) unexpected.push(difference);
    else accepted.set(entry.id, [...(accepted.get(entry.id) ?? []), formatDifference(difference, label).replace(/\n\s*/g, ' | ')]);
  }
  for (const [id, lines] of accepted) {
    usedDifferences.add(id);
    t.diagnostic(`accepted [${id}]: ${lines.join('; ')}`);
  }
  const report = unexpected.map((d) => formatDifference(d, label)).join('\n');
  assert.equal(unexpected.length, 0, `${unexpected.length} difference(s) between ${label} and Berth:\n${report}`);
}

function tail(log: string, lines = 40): string {
  return log.trim().split('\n').slice(-lines).join('\n');
}

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'skipped: needs root (berth build uses overlay mounts and runc)';
  const version = spawnSync(DOCKER, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 });
  if (version.status !== 0) return `skipped: Docker Engine is not answering through ${DOCKER} (run scripts/bootstrap): ${(version.stderr ?? '').trim()}`;
  return false;
}
