import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorResponse } from './error-response';

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(error, http.getRequest<Request>(), http.getResponse<Response>(), this.logger);
  }
}

export function sendError(error: unknown, request: Request, response: Response, logger: Logger): void {
  const answer = toErrorResponse(error);
  if (answer.unexpected) logger.error({ err: error, method: request.method, url: request.originalUrl }, 'request failed');
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.status(answer.status).json(answer.body);
}
