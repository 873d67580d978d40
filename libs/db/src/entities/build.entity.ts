import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum BuildStatus {
  Queued = 'queued',
  Running = 'running',
  Succeeded = 'succeeded',
  Failed = 'failed',
  Superseded = 'superseded',
  Cancelled = 'cancelled',
}

export const FINISHED_BUILD_STATUSES: readonly BuildStatus[] = [
  BuildStatus.Succeeded,
  BuildStatus.Failed,
  BuildStatus.Superseded,
  BuildStatus.Cancelled,
];

export enum BuildSource {
  GitPush = 'git-push',
  Webhook = 'webhook',
  Api = 'api',
}

@Entity({ name: 'builds' })
export class BuildEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ type: 'text' })
  status!: BuildStatus;

  @Column({ type: 'text' })
  source!: BuildSource;

  @Column({ name: 'commit_sha', type: 'text', nullable: true })
  commitSha!: string | null;

  @Column({ type: 'text', nullable: true })
  branch!: string | null;

  @Column({ name: 'image_digest', type: 'text', nullable: true })
  imageDigest!: string | null;

  @Column({ name: 'triggered_by', type: 'uuid', nullable: true })
  triggeredBy!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
