import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { BuildEntity, BuildSource, BuildStatus, FINISHED_BUILD_STATUSES } from '@berth/db';
import { JobName, JobQueue } from '@berth/queue';

export interface NewBuild {
  appId: string;
  commitSha: string;
  branch: string;
  source: BuildSource;
  triggeredBy: string | null;
}

@Injectable()
export class BuildsService {
  constructor(
    @InjectRepository(BuildEntity) private readonly builds: Repository<BuildEntity>,
    private readonly queue: JobQueue,
  ) {}

  /**
   * Records a build and queues it. A newer build supersedes the app's builds that are still
   * waiting: only the latest commit is worth building.
   */
  async enqueue(input: NewBuild): Promise<BuildEntity> {
    await this.builds.update(
      { appId: input.appId, status: BuildStatus.Queued },
      { status: BuildStatus.Superseded, finishedAt: new Date(), error: 'superseded by a newer build of this app' },
    );
    const build = await this.builds.save(this.builds.create({ ...input, status: BuildStatus.Queued }));
    await this.queue.enqueue(JobName.RunBuild, { buildId: build.id }, { jobId: build.id });
    return build;
  }

  get(id: string): Promise<BuildEntity | null> {
    return this.builds.findOneBy({ id });
  }

  listForApp(appId: string, limit = 50): Promise<BuildEntity[]> {
    return this.builds.find({ where: { appId }, order: { createdAt: 'DESC' }, take: limit });
  }

  async isFinished(id: string): Promise<boolean> {
    return (await this.builds.countBy({ id, status: In([...FINISHED_BUILD_STATUSES]) })) > 0;
  }
}
