import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EXIT_MARKER } from '@berth/git';
import { PushPipeline, RefUpdate } from './push-pipeline';
import { PushSessions } from './push-sessions';

const MAX_CALLBACK_BYTES = 64 * 1024;

/**
 * `POST /internal/pushes/ID`: the pre-receive hook's call, authenticated by the push's one-time
 * secret. The answer is the build and deploy log, streamed, then the exit-code marker line.
 */
@Injectable()
export class PushCallback {
  private readonly logger = new Logger(PushCallback.name);

  constructor(
    private readonly sessions: PushSessions,
    private readonly pipeline: PushPipeline,
  ) {}

  async handle(request: Request, response: Response): Promise<void> {
    const id = request.path.slice('/internal/pushes/'.length);
    const secret = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const session = request.method === 'POST' ? this.sessions.take(id, secret) : null;
    if (!session) {
      response.status(404).type('text/plain').end('no such push\n');
      return;
    }
    const updates = parseUpdates(await readBody(request));
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    let code = 1;
    try {
      code = await this.pipeline.run(session, updates, (text) => response.write(text));
    } catch (error) {
      this.logger.error(`push to ${session.app} failed: ${(error as Error).stack ?? error}`);
      response.write(` !     ${(error as Error).message}\n`);
    }
    response.end(`${EXIT_MARKER}${code}\n`);
  }
}

async function readBody(request: Request): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CALLBACK_BYTES) throw new Error('push callback body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseUpdates(body: string): RefUpdate[] {
  const parsed = JSON.parse(body) as { updates?: RefUpdate[] };
  return (parsed.updates ?? []).filter((u) => /^[0-9a-f]{40,64}$/.test(u.oldRev) && /^[0-9a-f]{40,64}$/.test(u.newRev) && u.ref.startsWith('refs/'));
}
