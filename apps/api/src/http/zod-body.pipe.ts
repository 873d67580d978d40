import { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { RequestError, RequestErrorCode } from '@berth/errors';

/** Validates a request body against a zod schema; the message names the first bad field. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    const first = issues[0];
    throw new RequestError(RequestErrorCode.ValidationFailed, `${first.field}: ${first.message}`, { issues });
  }
}
