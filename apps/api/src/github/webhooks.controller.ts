import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequestError, RequestErrorCode } from '@berth/errors';
import { WebhookReceiver } from '@berth/github';
import { PublicRoute } from '../http/auth.guard';

/** GitHub caps webhook payloads at 25 MB. */
export const WEBHOOK_BODY_LIMIT_BYTES = 25 * 1024 * 1024;

/**
 * `POST /webhooks/github/NAME`: no bearer token, the signature authenticates. The HMAC covers
 * the exact bytes GitHub sent, so the body is read raw here (no body parser runs on /webhooks).
 */
@Controller('webhooks/github')
export class WebhooksController {
  constructor(private readonly receiver: WebhookReceiver) {}

  @Post(':name')
  @PublicRoute()
  async receive(@Param('name') name: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const body = await readRawBody(request, WEBHOOK_BODY_LIMIT_BYTES);
    const answer = await this.receiver.receive({
      app: name,
      event: request.get('x-github-event'),
      deliveryId: request.get('x-github-delivery'),
      hookId: request.get('x-github-hook-id'),
      signature: request.get('x-hub-signature-256'),
      body,
    });
    response.status(answer.status).json(answer.body);
  }
}

/**
 * The body's bytes, refused (413) as soon as it is known to pass the limit: from its
 * Content-Length, or while it streams. What is left of a refused body is discarded, not kept
 * (Node's server drains an unread request once the answer is sent).
 */
export function readRawBody(request: Request, limit: number): Promise<Buffer> {
  const tooLarge = () => new RequestError(RequestErrorCode.BodyTooLarge, `the body is larger than the limit of ${limit} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error?: Error) => {
      request.off('data', onData).off('end', onEnd).off('error', stop);
      if (error) reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        stop(tooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    request.on('data', onData).on('end', onEnd).on('error', stop);
  });
}
