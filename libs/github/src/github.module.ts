import { DynamicModule, Module } from '@nestjs/common';
import { AppsModule } from '@berth/apps';
import { BuildsModule } from '@berth/builds';
import { BerthConfig } from '@berth/config';
import { SecretBoxFactory, SecretsModule } from '@berth/secrets';
import { COMMIT_FETCHER, GitCommitFetcher } from './commit-fetcher';
import { COMMIT_STATUS_REPORTER, GithubCommitStatusReporter } from './commit-status';
import { CommitStatusService } from './commit-status.service';
import { GITHUB_SECRET_BOX, GithubLinksService } from './github-links.service';
import { GithubPushService } from './github-push.service';
import { WebhookReceiver } from './webhook-receiver.service';

/** The HKDF purpose of GitHub secrets; changing it would make every sealed link secret unreadable. */
const GITHUB_SECRETS_PURPOSE = 'berth/github-secrets';

/** GitHub links and webhooks; the api uses the links and the receiver, the worker the push and status services. */
@Module({})
export class GithubModule {
  static forRoot(config: Pick<BerthConfig, 'github' | 'searchPath'>): DynamicModule {
    const services = [GithubLinksService, WebhookReceiver, GithubPushService, CommitStatusService];
    return {
      module: GithubModule,
      imports: [AppsModule, BuildsModule, SecretsModule],
      providers: [
        ...services,
        { provide: GITHUB_SECRET_BOX, inject: [SecretBoxFactory], useFactory: (boxes: SecretBoxFactory) => boxes.forPurpose(GITHUB_SECRETS_PURPOSE) },
        { provide: COMMIT_FETCHER, useValue: new GitCommitFetcher(config.searchPath) },
        { provide: COMMIT_STATUS_REPORTER, useValue: new GithubCommitStatusReporter(config.github.apiUrl) },
      ],
      exports: services,
    };
  }
}
