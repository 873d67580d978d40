import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestError, RequestErrorCode } from '@berth/errors';

export const API_BODY_LIMIT_BYTES = 1024 * 1024;

function hasBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/**
 * JSON bodies for /api only: the git receiver and the registry stream their bodies and must
 * never meet a body parser. A body must be JSON and at most 1 MiB.
 */
export function jsonBodyParser(limitBytes = API_BODY_LIMIT_BYTES): RequestHandler {
  const parse = express.json({ limit: limitBytes, type: () => true });
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) return next();
    if (!request.is(['application/json', 'application/*+json'])) {
      return next(new RequestError(RequestErrorCode.UnsupportedBody, 'the body must be JSON, sent with "Content-Type: application/json"'));
    }
    parse(request, response, (error?: unknown) => next(error ? translateParseError(error, limitBytes) : undefined));
  };
}

function translateParseError(error: unknown, limitBytes: number): RequestError {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new RequestError(RequestErrorCode.BodyTooLarge, `the body is larger than the limit of ${limitBytes} bytes`);
  }
  if (type === 'entity.parse.failed') {
    return new RequestError(RequestErrorCode.InvalidJson, `the body is not valid JSON: ${(error as Error).message}`);
  }
  return new RequestError(RequestErrorCode.InvalidJson, `the body could not be read: ${(error as Error).message}`);
}
