import { DynamicModule, Module } from '@nestjs/common';
import { AppsModule } from '@berth/apps';
import { AuthModule } from '@berth/auth';
import { BuildLogs, BuildsModule } from '@berth/builds';
import { GitRouter } from './git-router';
import { BUILD_LOGS } from './git.tokens';
import { PushCallback } from './push-callback';
import { PushPipeline } from './push-pipeline';
import { PushSessions } from './push-sessions';

@Module({})
export class ApiGitModule {
  static forRoot(dataDir: string): DynamicModule {
    return {
      module: ApiGitModule,
      imports: [AppsModule, AuthModule, BuildsModule],
      providers: [
        GitRouter,
        PushCallback,
        PushPipeline,
        PushSessions,
        { provide: BUILD_LOGS, useValue: new BuildLogs(dataDir) },
      ],
      exports: [GitRouter, BUILD_LOGS, BuildsModule],
    };
  }
}
