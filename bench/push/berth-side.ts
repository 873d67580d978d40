import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { LayerStore } from '@berth/layer-store';
import { BASE_IMAGE, buildBaseImage } from '../../test/support/base-image';
import { BerthStack, startBerthStack } from '../../test/support/berth-stack';
import { GitWork } from '../../test/support/git-work';
import { httpGet } from '../../test/support/http';
import { createTestEnv, TestEnv } from '../../test/support/test-env';
import { DockerBuilder } from '../builder/builders';
import { BuildLogWatch } from './log-watch';
import { indexHtml, writeRevision, writeSite } from './site';
import { runStamped, StampedLine, TimedRun } from './timed-process';

/** A timed push, and the build log's lines stamped as the worker wrote them (same origin). */
export interface BerthPush extends TimedRun {
  log: StampedLine[];
}

/**
 * A Berth installation as the e2e tests make one (own database, Redis prefix, data dir; api,
 * worker and router in this process), one app, and a developer's work tree pushing to it.
 */
export class BerthSide {
  private stack: BerthStack | null = null;
  private watch: BuildLogWatch | null = null;
  private remote = '';

  private constructor(
    readonly env: TestEnv,
    readonly app: string,
    readonly work: GitWork,
  ) {}

  /** An isolated installation (database, Redis prefix, data dir); dispose() removes it. */
  static async open(app: string, workDir: string): Promise<BerthSide> {
    return new BerthSide(await createTestEnv(), app, new GitWork(workDir));
  }

  /** Makes the busybox base (also tagged `baseRef`) and the site's work tree with its first commit. */
  async prepare(baseRef: string, marker: string): Promise<void> {
    await buildBaseImage(this.env.config.dataDir);
    const store = await LayerStore.open({ root: path.join(this.env.config.dataDir, 'layers') });
    await store.tag(baseRef, await store.resolve(BASE_IMAGE));
    await writeSite(this.work.dir, baseRef, marker);
    await this.work.git('init', '-q', '--initial-branch=main');
    await this.work.commit({}, 'site');
  }

  /** The same base image for Docker: Berth's `image save` format, loaded with `docker load`. */
  async loadBaseInto(docker: DockerBuilder, baseRef: string, archive: string): Promise<void> {
    const store = await LayerStore.open({ root: path.join(this.env.config.dataDir, 'layers') });
    await store.saveDockerArchive(baseRef, createWriteStream(archive));
    await docker.load(archive);
  }

  get routerPort(): number {
    return this.requireStack().routerPort;
  }

  async start(): Promise<void> {
    this.stack = await startBerthStack(this.env.config);
    const created = await fetch(`${this.stack.apiUrl}/api/apps`, { method: 'POST', headers: this.headers(), body: JSON.stringify({ name: this.app }) });
    if (created.status !== 201) throw new Error(`creating app ${this.app} answered ${created.status}: ${await created.text()}`);
    const { gitUrl } = (await created.json()) as { gitUrl: string };
    this.remote = gitUrl.replace('http://', `http://berth:${this.env.adminToken}@`);
    this.watch = new BuildLogWatch(path.join(this.env.config.dataDir, 'logs', 'builds'));
  }

  /** Commits index.html at `revision` (not timed), then times `git push` and checks the router serves it. */
  async push(revision: number): Promise<BerthPush> {
    await writeRevision(this.work.dir, revision);
    await this.work.commit({}, `revision ${revision}`);
    const args = ['-C', this.work.dir, '-c', 'credential.helper=', 'push', this.remote, 'main'];
    this.watch?.mark();
    const run = await runStamped('git', args, { ...process.env, GIT_TERMINAL_PROMPT: '0' });
    const log = this.watch?.take() ?? [];
    if (run.code !== 0) throw new Error(`git push of revision ${revision} failed (exit ${run.code}):\n${run.lines.map((line) => line.text).join('\n')}`);
    const page = await httpGet(this.routerPort, `${this.app}.localhost`);
    if (page.status !== 200 || page.body !== indexHtml(revision)) {
      throw new Error(`right after the push the router answered ${page.status} ${JSON.stringify(page.body.slice(0, 200))}, not revision ${revision}`);
    }
    return { ...run, log };
  }

  /** Deletes the app (Berth stops its containers), stops the stack, drops the database and data dir. */
  async dispose(): Promise<string[]> {
    const problems: string[] = [];
    this.watch?.close();
    if (this.stack) {
      const deleted = await fetch(`${this.stack.apiUrl}/api/apps/${this.app}`, { method: 'DELETE', headers: this.headers() }).catch((error: Error) => error);
      if (deleted instanceof Error || deleted.status !== 204) problems.push(`deleting app ${this.app}: ${deleted instanceof Error ? deleted.message : deleted.status}`);
      await this.stack.close();
    }
    await this.env.dispose().catch((error: Error) => problems.push(`disposing the test env: ${error.message}`));
    return problems;
  }

  /** `HOST:PORT/APP` of the images Berth's deployer pulled into Docker, for cleanup. */
  get imageRepository(): string | null {
    return this.stack ? `127.0.0.1:${this.stack.config.api.port}/${this.app}` : null;
  }

  private headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.env.adminToken}`, 'Content-Type': 'application/json' };
  }

  private requireStack(): BerthStack {
    if (!this.stack) throw new Error('the Berth stack is not started');
    return this.stack;
  }
}
