import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TokenAuthService } from '@berth/auth';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { GitHttpHandler, GitRepositories, installPreReceiveHook, PUSH_ENV } from '@berth/git';
import { GIT_REPOSITORIES } from './git.tokens';
import { PushCallback } from './push-callback';
import { PushSessions } from './push-sessions';

/**
 * Git on the api port: smart HTTP at `/NAME.git` and the pre-receive hook's callback at
 * `/internal/pushes/ID`. Both stream their bodies, so they run before any body parser.
 */
@Injectable()
export class GitRouter implements OnModuleInit {
  private readonly logger = new Logger(GitRouter.name);
  private readonly handler: GitHttpHandler;

  constructor(
    private readonly auth: TokenAuthService,
    private readonly sessions: PushSessions,
    private readonly callback: PushCallback,
    @Inject(GIT_REPOSITORIES) private readonly repositories: GitRepositories,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    this.handler = new GitHttpHandler({
      authorize: async (token) => (token === null ? null : this.auth.authenticate(token).then((principal) => principal.userId, () => null)),
      repository: async (app) => ((await this.repositories.exists(app)) ? this.repositories.path(app) : null),
      pushEnvironment: async (app, userId, request) => this.pushEnvironment(app, userId, request.socket.localPort ?? this.config.api.port),
    });
  }

  async onModuleInit(): Promise<void> {
    await installPreReceiveHook(this.repositories.hooksDir, process.execPath);
  }

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const handled = request.path.startsWith('/internal/pushes/')
      ? this.callback.handle(request, response).then(() => true)
      : this.handler.handle(request, response);
    handled.then(
      (done) => done || next(),
      (error: Error) => {
        this.logger.error(`git request ${request.method} ${request.path} failed: ${error.message}`);
        if (!response.headersSent) response.status(500).end('internal error\n');
        else response.destroy();
      },
    );
  };

  /** The hook calls back on the port this push came in on, over loopback. */
  private pushEnvironment(app: string, userId: string, apiPort: number): Record<string, string> {
    const { id, secret } = this.sessions.open(app, userId);
    return { [PUSH_ENV.url]: `http://127.0.0.1:${apiPort}/internal/pushes/${id}`, [PUSH_ENV.secret]: secret };
  }
}
