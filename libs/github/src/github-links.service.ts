import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppsService } from '@berth/apps';
import { AppEntity, GithubDeliveryEntity, GithubLinkEntity } from '@berth/db';
import { SecretBox } from '@berth/secrets';
import { cloneUrlKind, defaultCloneUrl } from './clone-url';
import { generateDeployKey } from './deploy-key';
import { GithubError, GithubErrorCode } from './github.errors';

export const GITHUB_SECRET_BOX = Symbol('GITHUB_SECRET_BOX');

export interface LinkInput {
  repository: string;
  branch: string;
  cloneUrl?: string;
  /** true: generate a new deploy key pair (replacing one); false: drop it; absent: keep. */
  deployKey?: boolean;
  /** A token for private https fetches and commit statuses; null drops it; absent keeps it. */
  token?: string | null;
}

export interface Actor {
  userId: string;
  isAdmin: boolean;
}

export interface LinkView {
  app: string;
  repository: string;
  branch: string;
  cloneUrl: string;
  webhookUrl: string;
  contentType: 'application/json';
  deployKey: { publicKey: string } | null;
  hasToken: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a link or a rotation answers: the secret, shown this once and stored only encrypted. */
export type LinkWithSecret = LinkView & { secret: string | null };

/** Links apps to GitHub repositories; secrets, keys and tokens are sealed before they reach the database. */
@Injectable()
export class GithubLinksService {
  constructor(
    private readonly apps: AppsService,
    @InjectRepository(GithubLinkEntity) private readonly links: Repository<GithubLinkEntity>,
    @InjectRepository(GithubDeliveryEntity) private readonly deliveries: Repository<GithubDeliveryEntity>,
    @Inject(GITHUB_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /**
   * Creates or updates the app's link. A new link gets a webhook secret, answered once; an
   * update keeps the secret (the hook on GitHub keeps working) and answers `secret: null`.
   */
  async link(appName: string, input: LinkInput, actor: Actor, berthUrl: string): Promise<LinkWithSecret> {
    const app = await this.apps.get(appName);
    const cloneUrl = input.cloneUrl ?? defaultCloneUrl(input.repository);
    if (cloneUrlKind(cloneUrl) === 'file' && !actor.isAdmin) {
      throw new GithubError(GithubErrorCode.FileUrlForbidden, 'only admins may link a file:// clone URL');
    }
    const existing = await this.links.findOneBy({ appId: app.id });
    const secret = existing ? null : newSecret();
    const link = existing ?? this.links.create({ appId: app.id, secretEncrypted: await this.box.seal(secret!), createdBy: actor.userId });
    Object.assign(link, { repository: input.repository, branch: input.branch, cloneUrl, berthUrl });
    if (input.deployKey === true) {
      const key = generateDeployKey(`berth:${app.name}`);
      Object.assign(link, { deployKeyPublic: key.publicKey, deployKeyEncrypted: await this.box.seal(key.privateKey) });
    } else if (input.deployKey === false) {
      Object.assign(link, { deployKeyPublic: null, deployKeyEncrypted: null });
    }
    if (input.token !== undefined) link.tokenEncrypted = input.token === null ? null : await this.box.seal(input.token);
    const saved = await this.links.save(link);
    return { ...linkView(app, saved), secret };
  }

  async show(appName: string): Promise<LinkView> {
    const app = await this.apps.get(appName);
    return linkView(app, await this.find(app));
  }

  /** A new webhook secret replaces the old one at once: paste it into GitHub's hook settings. */
  async rotateSecret(appName: string): Promise<LinkWithSecret> {
    const app = await this.apps.get(appName);
    const link = await this.find(app);
    const secret = newSecret();
    link.secretEncrypted = await this.box.seal(secret);
    return { ...linkView(app, await this.links.save(link)), secret };
  }

  async unlink(appName: string): Promise<void> {
    const app = await this.apps.get(appName);
    await this.find(app);
    await this.links.delete({ appId: app.id });
  }

  async listDeliveries(appName: string, limit = 100): Promise<GithubDeliveryEntity[]> {
    const app = await this.apps.get(appName);
    return this.deliveries.find({ where: { appId: app.id }, order: { createdAt: 'DESC' }, take: limit });
  }

  private async find(app: AppEntity): Promise<GithubLinkEntity> {
    const link = await this.links.findOneBy({ appId: app.id });
    if (!link) throw new GithubError(GithubErrorCode.NotLinked, `${app.name} is not linked to a GitHub repository`);
    return link;
  }
}

function newSecret(): string {
  return randomBytes(32).toString('hex');
}

function linkView(app: AppEntity, link: GithubLinkEntity): LinkView {
  return {
    app: app.name,
    repository: link.repository,
    branch: link.branch,
    cloneUrl: link.cloneUrl,
    webhookUrl: `${link.berthUrl}/webhooks/github/${app.name}`,
    contentType: 'application/json',
    deployKey: link.deployKeyPublic ? { publicKey: link.deployKeyPublic } : null,
    hasToken: link.tokenEncrypted !== null,
    createdAt: link.createdAt.toISOString(),
    updatedAt: link.updatedAt.toISOString(),
  };
}
