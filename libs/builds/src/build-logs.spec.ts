import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BuildLogs } from './build-logs';

describe('BuildLogs', () => {
  it('follows a log while it is written and stops at its end once the build finished', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-logs-'));
    const logs = new BuildLogs(dir);
    let finished = false;
    const received: string[] = [];
    const following = (async () => {
      for await (const chunk of logs.follow('b1', async () => finished)) received.push(chunk.toString());
    })();
    const writer = await logs.writer('b1');
    writer.write('Step 1/2 : FROM scratch\n');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(received.join(''), 'Step 1/2 : FROM scratch\n', 'a line shows while the build runs');
    writer.write('Step 2/2 : COPY . /\n');
    await new Promise<void>((resolve) => writer.end(resolve));
    finished = true;
    await following;
    assert.equal(received.join(''), 'Step 1/2 : FROM scratch\nStep 2/2 : COPY . /\n');
    await fs.rm(dir, { recursive: true, force: true });
  });
});
