import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'apps' })
export class AppEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  /** The branch whose pushes deploy; others are stored only. */
  @Column({ name: 'deploy_branch', type: 'text', default: 'main' })
  deployBranch!: string;

  /** Instances per process type; a type not listed runs one `web` and no others. */
  @Column({ type: 'jsonb', default: {} })
  formation!: Record<string, number>;

  @Column({ name: 'memory_mb', type: 'integer', nullable: true })
  memoryMb!: number | null;

  @Column({ type: 'numeric', precision: 6, scale: 3, nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  cpus!: number | null;

  /** Plain HTTP requests get a 308 to HTTPS (when the router has a TLS port). */
  @Column({ name: 'https_redirect', type: 'boolean', default: false })
  httpsRedirect!: boolean;

  /** Request body limit the router enforces for this app (413 above it); null: BERTH_ROUTER_MAX_BODY_BYTES. */
  @Column({ name: 'max_body_bytes', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  maxBodyBytes!: number | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
