import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum ReleaseStatus {
  Pending = 'pending',
  Deploying = 'deploying',
  Deployed = 'deployed',
  Failed = 'failed',
}

@Entity({ name: 'releases' })
export class ReleaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  /** v1, v2, ... per app. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'build_id', type: 'uuid', nullable: true })
  buildId!: string | null;

  @Column({ name: 'image_digest', type: 'text', nullable: true })
  imageDigest!: string | null;

  /** The config vars as they were when this release was made. */
  @Column({ type: 'jsonb', default: {} })
  config!: Record<string, string>;

  /** Process type -> command; empty means the image's own CMD/ENTRYPOINT is `web`. */
  @Column({ name: 'process_types', type: 'jsonb', default: {} })
  processTypes!: Record<string, string>;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text', default: ReleaseStatus.Pending })
  status!: ReleaseStatus;

  @Column({ name: 'deployed_at', type: 'timestamptz', nullable: true })
  deployedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
