import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An app's link to a GitHub repository. Secret columns hold AES-256-GCM ciphertext, never plain text. */
@Entity({ name: 'github_links' })
export class GithubLinkEntity {
  @PrimaryColumn({ name: 'app_id', type: 'uuid' })
  appId!: string;

  /** owner/repo */
  @Column({ type: 'text' })
  repository!: string;

  @Column({ type: 'text' })
  branch!: string;

  /** Where Berth fetches from; a payload's URLs are never used. */
  @Column({ name: 'clone_url', type: 'text' })
  cloneUrl!: string;

  /** Berth's address as the linking request saw it: the base of the webhook URL and of status links. */
  @Column({ name: 'berth_url', type: 'text' })
  berthUrl!: string;

  @Column({ name: 'secret_encrypted', type: 'text' })
  secretEncrypted!: string;

  @Column({ name: 'deploy_key_public', type: 'text', nullable: true })
  deployKeyPublic!: string | null;

  @Column({ name: 'deploy_key_encrypted', type: 'text', nullable: true })
  deployKeyEncrypted!: string | null;

  @Column({ name: 'token_encrypted', type: 'text', nullable: true })
  tokenEncrypted!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export enum DeliveryResult {
  /** Missing or wrong signature. */
  Rejected = 'rejected',
  /** Signed, but not JSON or not the shape of its event. */
  Invalid = 'invalid',
  /** The same hook and delivery id came before. */
  Duplicate = 'duplicate',
  Pong = 'pong',
  /** Another event, branch, a tag or a deletion: acknowledged, nothing to do. */
  Ignored = 'ignored',
  /** Accepted; the worker fetches the commit and builds it. */
  Queued = 'queued',
  /** The commit is already deployed or being built. */
  Skipped = 'skipped',
  Building = 'building',
  /** The fetch (or the build's creation) failed. */
  Failed = 'failed',
}

@Entity({ name: 'github_deliveries' })
export class GithubDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'app_id', type: 'uuid' })
  appId!: string;

  @Column({ name: 'hook_id', type: 'text' })
  hookId!: string;

  @Column({ name: 'delivery_id', type: 'text' })
  deliveryId!: string;

  @Column({ type: 'text' })
  event!: string;

  @Column({ type: 'text', nullable: true })
  ref!: string | null;

  @Column({ name: 'after_sha', type: 'text', nullable: true })
  afterSha!: string | null;

  /** Claimed once per app, like the delivery id: a resent body is a replay whatever its headers say. */
  @Column({ name: 'body_sha256', type: 'text' })
  bodySha256!: string;

  @Column({ type: 'text' })
  result!: DeliveryResult;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ name: 'build_id', type: 'uuid', nullable: true })
  buildId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
