/** Berth's queues. Builds and deploys are separate so a long build never delays a rollback. */
export enum QueueName {
  Builds = 'builds',
  Deploys = 'deploys',
  Certificates = 'certificates',
}

export enum JobName {
  RunBuild = 'build.run',
  RunDeploy = 'deploy.run',
  ScaleApp = 'deploy.scale',
  /** A GitHub push delivery: fetch its commit, then build it like a git push. */
  GithubPush = 'github.push',
  IssueCertificate = 'certificate.issue',
}

/** Payloads carry ids only: the database holds the state of record, never the queue. */
export interface JobPayloads {
  [JobName.RunBuild]: { buildId: string };
  [JobName.RunDeploy]: { releaseId: string };
  [JobName.ScaleApp]: { appId: string };
  [JobName.GithubPush]: { deliveryId: string };
  [JobName.IssueCertificate]: { hostname: string };
}

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  [JobName.RunBuild]: QueueName.Builds,
  [JobName.RunDeploy]: QueueName.Deploys,
  [JobName.ScaleApp]: QueueName.Deploys,
  [JobName.GithubPush]: QueueName.Builds,
  [JobName.IssueCertificate]: QueueName.Certificates,
};
