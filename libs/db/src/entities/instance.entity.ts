import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum InstanceStatus {
  Starting = 'starting',
  Running = 'running',
  Draining = 'draining',
  /** Out of the rotation after failed health checks, until its replacement serves. */
  Unhealthy = 'unhealthy',
  Stopped = 'stopped',
  Crashed = 'crashed',
}

/** One container of one process type of one release. */
@Entity({ name: 'instances' })
export class InstanceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'release_id', type: 'uuid' })
  releaseId!: string;

  @Column({ name: 'process_type', type: 'text' })
  processType!: string;

  @Column({ name: 'container_id', type: 'text', nullable: true, unique: true })
  containerId!: string | null;

  @Column({ type: 'integer', nullable: true })
  port!: number | null;

  @Column({ type: 'text' })
  status!: InstanceStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
