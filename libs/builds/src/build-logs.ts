import { appendFileSync, createReadStream, createWriteStream, WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const POLL_INTERVAL_MS = 150;

/**
 * Build logs are files (`<data dir>/logs/builds/<id>.log`), never a growing database column:
 * the worker appends, and any number of readers follow the file while the build runs.
 */
export class BuildLogs {
  readonly dir: string;

  /** `kind` names the log family: builds (the default) or releases (their deploys). */
  constructor(dataDir: string, kind: 'builds' | 'releases' = 'builds') {
    this.dir = path.join(dataDir, 'logs', kind);
  }

  path(buildId: string): string {
    return path.join(this.dir, `${buildId}.log`);
  }

  /**
   * A line writer that appends synchronously: a line is in the file when the call returns, so
   * a status recorded afterwards never ends a follower before the line it should have seen.
   */
  async lineWriter(id: string): Promise<(line: string) => void> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.path(id);
    return (line: string) => appendFileSync(file, `${line}\n`);
  }

  async writer(buildId: string): Promise<WriteStream> {
    await fs.mkdir(this.dir, { recursive: true });
    return createWriteStream(this.path(buildId), { flags: 'a' });
  }

  /**
   * The log from its start, then whatever is appended, until `finished()` answers true and
   * the end of the file is reached. A log that does not exist yet is waited for.
   */
  async *follow(buildId: string, finished: () => Promise<boolean>, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let offset = 0;
    for (;;) {
      if (signal?.aborted) return;
      const done = await finished();
      const size = (await fs.stat(this.path(buildId)).catch(() => null))?.size ?? 0;
      if (size > offset) {
        for await (const chunk of createReadStream(this.path(buildId), { start: offset, end: size - 1 })) yield chunk as Buffer;
        offset = size;
        continue;
      }
      if (done) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
}
