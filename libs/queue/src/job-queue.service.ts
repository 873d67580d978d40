import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { JobName, JobPayloads, QUEUE_OF_JOB, QueueName } from './jobs';

export interface EnqueueOptions {
  /** A stable id makes enqueueing idempotent: BullMQ keeps one job per id. */
  jobId?: string;
  attempts?: number;
}

@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Builds) builds: Queue,
    @InjectQueue(QueueName.Deploys) deploys: Queue,
    @InjectQueue(QueueName.Certificates) certificates: Queue,
  ) {
    this.queues = { [QueueName.Builds]: builds, [QueueName.Deploys]: deploys, [QueueName.Certificates]: certificates };
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions = {}): Promise<Job> {
    return this.queues[QUEUE_OF_JOB[name]].add(name, payload, {
      jobId: options.jobId,
      attempts: options.attempts ?? 1,
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  /** Resolves when Redis answers. */
  async ping(): Promise<void> {
    const client = (await this.queues[QueueName.Builds].client) as unknown as { ping(): Promise<string> };
    await client.ping();
  }
}
