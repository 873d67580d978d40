import { z } from 'zod';
import { LogStream } from '@berth/app-logs';
import { RequestError, RequestErrorCode } from '@berth/errors';

const MAX_TAIL = 10_000;
const CURSOR = /^[0-9]{1,19}$/;

const querySchema = z.object({
  tail: z.coerce.number({ error: 'must be a number of lines' }).int('must be a whole number').min(0, 'must be at least 0').max(MAX_TAIL, `must be at most ${MAX_TAIL}`).default(100),
  follow: z.enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' }).optional(),
  process: z.string().regex(/^[a-zA-Z0-9_-]{1,63}$/, 'must be a process type such as "web"').optional(),
  release: z.coerce.number({ error: 'must be a release version' }).int('must be a release version').min(1, 'must be a release version (1 or more)').optional(),
  stream: z.enum(['stdout', 'stderr', 'berth'], { error: 'must be stdout, stderr or berth' }).optional(),
  after: z.string().regex(CURSOR, 'must be a line id').optional(),
});

export interface LogQuery {
  tail: number;
  follow: boolean;
  process?: string;
  release?: number;
  stream?: LogStream;
  /** Resume after this line id (Last-Event-ID or ?after=). */
  after?: string;
}

/** The query of GET /api/apps/NAME/logs; a bad value is a 422 naming the parameter. */
export function parseLogQuery(query: Record<string, unknown>, lastEventId: string | undefined): LogQuery {
  const single = Object.fromEntries(Object.entries(query).filter(([key]) => key !== 'access_token').map(([key, value]) => [key, Array.isArray(value) ? value[value.length - 1] : value]));
  const parsed = querySchema.safeParse({ ...single, ...(lastEventId ? { after: lastEventId } : {}) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') === 'after' && lastEventId ? 'Last-Event-ID' : issue.path.join('.');
    throw new RequestError(RequestErrorCode.ValidationFailed, `${field}: ${issue.message}`, { issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) });
  }
  const { follow, ...rest } = parsed.data;
  return { ...rest, follow: follow === '1' || follow === 'true' };
}

export { MAX_TAIL };
