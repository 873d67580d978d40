import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { applyDockerignore, BuilderError, GitTreeContext, ImageBuilder, NodeCommandRunner, TextProgress } from '@berth/builder';
import { BuildLogs } from '@berth/builds';
import { AppEntity, BuildEntity } from '@berth/db';
import { GitRepositories } from '@berth/git';
import { BuildPipeline, BuildResult } from './build-pipeline.port';
import { BUILD_LOGS, GIT_REPOSITORIES, IMAGE_BUILDER } from './worker.tokens';

/** Builds the Dockerfile at the root of the pushed commit, read straight from the app's bare repository. */
@Injectable()
export class GitBuildPipeline implements BuildPipeline {
  private readonly runner = new NodeCommandRunner();

  constructor(
    @InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>,
    @InjectRepository(AppEntity) private readonly apps: Repository<AppEntity>,
    @Inject(IMAGE_BUILDER) private readonly builder: ImageBuilder,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
    @Inject(BUILD_LOGS) private readonly logs: BuildLogs,
  ) {}

  async run(buildId: string): Promise<BuildResult> {
    const build = await this.builds.findOneByOrFail({ id: buildId });
    const app = await this.apps.findOneByOrFail({ id: build.appId });
    const log = await this.logs.writer(buildId);
    const progress = new TextProgress(log);
    try {
      if (!build.commitSha) throw new Error('the build has no commit to build');
      progress.info(`-----> Building ${app.name} from commit ${build.commitSha.slice(0, 12)}`);
      const started = Date.now();
      const result = await this.buildCommit(app, build.commitSha, buildId, progress);
      progress.info(`-----> Built ${result.imageDigest} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return result;
    } catch (error) {
      progress.info(`-----> Build failed: ${(error as Error).message}`);
      const lastLines = error instanceof BuilderError ? (error.details as { lastLines?: string } | undefined)?.lastLines : undefined;
      if (lastLines) progress.info(`       last lines of its output:\n${lastLines}`);
      throw error;
    } finally {
      await new Promise<void>((resolve) => log.end(resolve));
    }
  }

  private async buildCommit(app: AppEntity, commit: string, buildId: string, progress: TextProgress): Promise<BuildResult> {
    const repository = this.repositories.path(app.name);
    // The tree is listed once: the Dockerfile is read from it whole, the build sees it through .dockerignore.
    const tree = await GitTreeContext.open(this.runner, repository, commit);
    const dockerfile = await tree.readFile('Dockerfile');
    if (!dockerfile) throw new Error(`commit ${commit.slice(0, 12)} has no Dockerfile at its root; add one and push again`);
    const context = await applyDockerignore(tree);
    const result = await this.builder.build({
      context,
      dockerfile: { name: 'Dockerfile', text: dockerfile.toString('utf8') },
      tags: [`${app.name}:build-${buildId}`],
      progress,
    });
    return { imageDigest: result.manifestDigest };
  }
}
