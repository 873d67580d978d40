import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { QueueName } from './jobs';
import { redisOptionsFromUrl } from './redis-options';

export interface QueueModuleOptions {
  url: string;
  /** Key prefix in Redis: separate installs, test runs and developers never collide. */
  prefix: string;
}

@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    const queues = BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name })));
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({ connection: redisOptionsFromUrl(options.url), prefix: options.prefix }),
        queues,
      ],
      providers: [JobQueue],
      exports: [JobQueue, queues],
    };
  }
}
