import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { GitTreeContext, NodeCommandRunner } from '@berth/builder';
import { BuildLogs } from '@berth/builds';
import { AppEntity, BuildEntity } from '@berth/db';
import { Deployer } from '@berth/deployer';
import { GitRepositories } from '@berth/git';
import { parseProcfile, ReleasesService } from '@berth/releases';
import { BUILD_LOGS, GIT_REPOSITORIES } from './worker.tokens';

/**
 * What follows a successful build: release vN (image + config + the commit's Procfile), then
 * its deploy, all reported in the build's log.
 */
@Injectable()
export class BuildReleaser {
  private readonly runner = new NodeCommandRunner();

  constructor(
    @InjectRepository(AppEntity) private readonly apps: Repository<AppEntity>,
    private readonly releases: ReleasesService,
    private readonly deployer: Deployer,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
    @Inject(BUILD_LOGS) private readonly logs: BuildLogs,
  ) {}

  async release(build: BuildEntity, imageDigest: string): Promise<void> {
    const app = await this.apps.findOneByOrFail({ id: build.appId });
    const write = await this.logs.lineWriter(build.id);
    const processTypes = await this.processTypes(app.name, build.commitSha!, write);
    const release = await this.releases.create(app.id, {
      imageDigest,
      processTypes,
      buildId: build.id,
      description: `Deploy ${build.commitSha!.slice(0, 7)}`,
      createdBy: build.triggeredBy,
    });
    write(`-----> Releasing v${release.version}`);
    await this.deployer.deploy(release.id, write);
  }

  async hasRelease(buildId: string): Promise<boolean> {
    return (await this.releases.countForBuild(buildId)) > 0;
  }

  private async processTypes(app: string, commit: string, write: (line: string) => void): Promise<Record<string, string>> {
    const tree = await GitTreeContext.open(this.runner, this.repositories.path(app), commit);
    const procfile = await tree.readFile('Procfile');
    if (!procfile) return {};
    const types = parseProcfile(procfile.toString('utf8'));
    write(`-----> Procfile declares ${Object.keys(types).join(', ')}`);
    return types;
  }
}
