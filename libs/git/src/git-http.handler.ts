import type { IncomingMessage, ServerResponse } from 'node:http';
import { advertiseRefs, GIT_SERVICES, GitService, runService } from './smart-http';

export interface GitHttpHooks {
  /** The API token from Basic auth (any user name), or null: answers the user id when it may use the app, else null. */
  authorize(token: string | null, app: string, service: GitService): Promise<string | null>;
  /** The app's bare repository, or null when there is no such app. */
  repository(app: string): Promise<string | null>;
  /** Environment for the hooks of one push (its id and secret for the callback into the api). */
  pushEnvironment(app: string, userId: string, request: IncomingMessage): Promise<Record<string, string>>;
}

const PATH_PATTERN = /^\/([a-z0-9-]+)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/**
 * Git's smart HTTP protocol at `/NAME.git`: clone and fetch (upload-pack) and push
 * (receive-pack), with Basic auth whose password is an API token. Answers false for paths
 * that are not git's, so the caller can pass them on.
 */
export class GitHttpHandler {
  constructor(private readonly hooks: GitHttpHooks) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', 'http://berth');
    const match = PATH_PATTERN.exec(url.pathname);
    if (!match) return false;
    const [, app, action] = match;
    const service = (action === 'info/refs' ? url.searchParams.get('service') : action) as GitService;
    if (!GIT_SERVICES.includes(service) || (action === 'info/refs') !== (request.method === 'GET')) {
      plain(response, 400, 'only git smart HTTP (protocol v0/v1, service=git-upload-pack or git-receive-pack) is served here\n');
      return true;
    }
    const userId = await this.hooks.authorize(basicPassword(request), app, service);
    if (userId === null) {
      response.setHeader('WWW-Authenticate', 'Basic realm="Berth", charset="UTF-8"');
      plain(response, 401, 'authentication required: use an API token as the password, e.g. http://berth:TOKEN@host/APP.git\n');
      return true;
    }
    const repository = await this.hooks.repository(app);
    if (!repository) {
      plain(response, 404, `no app named "${app}"; create it first (POST /api/apps)\n`);
      return true;
    }
    if (action === 'info/refs') advertiseRefs(repository, service, response);
    else runService(repository, service, request, response, service === 'git-receive-pack' ? await this.hooks.pushEnvironment(app, userId, request) : {});
    return true;
  }
}

function basicPassword(request: IncomingMessage): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1) || null;
}

function plain(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
