export { JobName, JobPayloads, QUEUE_OF_JOB, QueueName } from './jobs';
export { EnqueueOptions, JobQueue } from './job-queue.service';
export { QueueModule, QueueModuleOptions } from './queue.module';
export { redisOptionsFromUrl } from './redis-options';
