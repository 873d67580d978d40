import path from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { AppsModule } from '@berth/apps';
import { BuildsModule } from '@berth/builds';
import { BerthConfig } from '@berth/config';
import { COMMIT_FETCHER, GitCommitFetcher } from './commit-fetcher';
import { COMMIT_STATUS_REPORTER, GithubCommitStatusReporter } from './commit-status';
import { CommitStatusService } from './commit-status.service';
import { GITHUB_SECRET_BOX, GithubLinksService } from './github-links.service';
import { GithubPushService } from './github-push.service';
import { FileMasterKey, MASTER_KEY_SOURCE, MasterKeySource, SecretBox } from './secret-box';
import { WebhookReceiver } from './webhook-receiver.service';

/** The master key file: BERTH_MASTER_KEY_FILE, else `master.key` in the data directory. */
export function masterKeyFileOf(config: Pick<BerthConfig, 'dataDir' | 'masterKeyFile'>): string {
  return config.masterKeyFile ?? path.join(config.dataDir, 'master.key');
}

/** GitHub links and webhooks; the api uses the links and the receiver, the worker the push and status services. */
@Module({})
export class GithubModule {
  static forRoot(config: Pick<BerthConfig, 'dataDir' | 'masterKeyFile' | 'github' | 'searchPath'>): DynamicModule {
    const services = [GithubLinksService, WebhookReceiver, GithubPushService, CommitStatusService];
    return {
      module: GithubModule,
      imports: [AppsModule, BuildsModule],
      providers: [
        ...services,
        { provide: MASTER_KEY_SOURCE, useValue: new FileMasterKey(masterKeyFileOf(config)) },
        { provide: GITHUB_SECRET_BOX, inject: [MASTER_KEY_SOURCE], useFactory: (master: MasterKeySource) => new SecretBox(master) },
        { provide: COMMIT_FETCHER, useValue: new GitCommitFetcher(config.searchPath) },
        { provide: COMMIT_STATUS_REPORTER, useValue: new GithubCommitStatusReporter(config.github.apiUrl) },
      ],
      exports: services,
    };
  }
}
