import { DynamicModule, Global, Module } from '@nestjs/common';
import { GitRepositories } from './git-repositories';

export const GIT_REPOSITORIES = Symbol('GIT_REPOSITORIES');

/** The apps' bare repositories under the data dir, for every module that needs them. */
@Global()
@Module({})
export class GitModule {
  static forRoot(dataDir: string): DynamicModule {
    return {
      module: GitModule,
      providers: [{ provide: GIT_REPOSITORIES, useValue: new GitRepositories(dataDir) }],
      exports: [GIT_REPOSITORIES],
    };
  }
}
