import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError } from '@berth/errors';
import { HTTP_STATUS_OF } from './error-status';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Unexpected errors are logged with their stack; expected ones are the client's business. */
  unexpected: boolean;
}

const CODE_OF_HTTP_STATUS: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'bad_request',
  [HttpStatus.UNAUTHORIZED]: 'unauthorized',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'method_not_allowed',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'body_too_large',
};

/** Turns anything thrown while serving a request into Berth's JSON error answer. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DomainError) {
    const status = (HTTP_STATUS_OF as Record<string, number>)[error.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status, body, unexpected: status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_OF_HTTP_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'request_error');
    return { status, body: { error: { code, message: httpExceptionMessage(error) } }, unexpected: status >= 500 };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { error: { code: 'internal_error', message: 'an unexpected error occurred; the server log has the details' } },
    unexpected: true,
  };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}
