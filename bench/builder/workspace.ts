import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeAppContext, writeBaseContext } from './app-context';
import { BerthBuilder, DockerBuilder } from './builders';
import { listBuildCache, pruneRecords, recordsOfRun } from './docker-cache';
import { runCommand } from './process';

/** Everything one bench run creates: a temp dir, two image names and a marker, all unique to the run. */
export interface Workspace {
  root: string;
  /** BERTH_DATA_DIR holding only the base image; fresh data dirs are copies of it. */
  berthTemplate: string;
  /** The data dir kept across rounds when cold builds use --no-cache, as Docker's store is. */
  berthData: string;
  appContext: string;
  baseTag: string;
  appTag: string;
  /** Appears in a RUN line of the app, so this run's Docker cache records can be told apart. */
  marker: string;
  /** Docker build-cache record ids that existed before the run. */
  cacheBefore: Set<string>;
}

/**
 * Under Berth's own data dir by default (BERTH_DATA_DIR, else .berth), where its store lives in
 * use, as Docker's lives in /var/lib/docker. Placement matters on small VMs: creating files in a
 * freshly made directory tree measured ~3x slower than in one already in use on the same disk.
 */
export async function createWorkspace(): Promise<Workspace> {
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const parent = process.env.BENCH_WORKDIR || path.join(path.resolve(process.env.BERTH_DATA_DIR || '.berth'), 'tmp');
  await fs.mkdir(parent, { recursive: true });
  const root = await fs.mkdtemp(path.join(parent, 'bench-'));
  return {
    root,
    berthTemplate: path.join(root, 'berth-data-template'),
    berthData: path.join(root, 'berth-data'),
    appContext: path.join(root, 'app'),
    baseTag: `berth-bench-base:${id}`,
    appTag: `berth-bench-app:${id}`,
    marker: `berth-bench-${id}`,
    cacheBefore: new Set(),
  };
}

/** Builds the busybox base with Berth, loads the same image into Docker, writes the app context. */
export async function prepare(ws: Workspace, berth: BerthBuilder, docker: DockerBuilder): Promise<void> {
  const baseContext = path.join(ws.root, 'base');
  await writeBaseContext(baseContext);
  await berth.build(ws.berthTemplate, baseContext, ws.baseTag);
  const archive = path.join(ws.root, 'base.tar');
  await berth.save(ws.berthTemplate, ws.baseTag, archive);
  await berth.cloneDataDir(ws.berthTemplate, ws.berthData);
  ws.cacheBefore = new Set((await listBuildCache(docker)).map((record) => record.ID));
  await docker.load(archive);
  await writeAppContext(ws.appContext, ws.baseTag, ws.marker);
}

/** Removes this run's Docker images and cache records, unmounts leftovers, deletes the temp dir. */
export async function cleanUp(ws: Workspace, docker: DockerBuilder): Promise<string[]> {
  const problems = await docker.removeImages([ws.appTag, ws.baseTag]);
  try {
    const records = recordsOfRun(ws.cacheBefore, await listBuildCache(docker), ws.marker);
    problems.push(...(await pruneRecords(docker, records)));
  } catch (error) {
    problems.push(`listing Docker's build cache: ${(error as Error).message}`);
  }
  await unmountUnder(ws.root);
  await fs.rm(ws.root, { recursive: true, force: true }).catch((error: Error) => problems.push(`removing ${ws.root}: ${error.message}`));
  return problems;
}

/** An interrupted build can leave overlay mounts in its data dir; rm must not meet them. */
async function unmountUnder(root: string): Promise<void> {
  const mounts = (await fs.readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((target): target is string => target !== undefined && target.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) await runCommand('umount', ['-l', target]);
}
