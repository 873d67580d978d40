import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerLogLine } from './container-runtime.port';
import { DockerLogLineParser, dockerSince } from './docker-log-lines';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function parse(chunks: Buffer[]): Promise<ContainerLogLine[]> {
  const parser = new DockerLogLineParser();
  const lines: ContainerLogLine[] = [];
  parser.on('data', (line: ContainerLogLine) => lines.push(line));
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  await new Promise((resolve) => parser.on('end', resolve));
  return lines;
}

describe('DockerLogLineParser', () => {
  it('tells stdout from stderr and splits the timestamp off', async () => {
    const bytes = Buffer.concat([frame(1, '2026-11-22T21:10:00.000000001Z hello\n'), frame(2, '2026-11-22T21:10:00.000000002Z oops \n')]);
    assert.deepEqual(await parse([bytes]), [
      { stream: 'stdout', time: '2026-11-22T21:10:00.000000001Z', message: 'hello' },
      { stream: 'stderr', time: '2026-11-22T21:10:00.000000002Z', message: 'oops ' },
    ]);
  });

  it('reassembles frames split across chunks at any byte', async () => {
    const bytes = Buffer.concat([frame(1, '2026-11-22T21:10:00.000000001Z first\n'), frame(1, '2026-11-22T21:10:00.000000001Z sécond\n')]);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const lines = await parse([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(lines.map((line) => line.message), ['first', 'sécond'], `cut at ${cut}`);
    }
  });
});

describe('dockerSince', () => {
  it('turns an RFC 3339 nanosecond time into unix seconds with nine decimals', () => {
    assert.equal(dockerSince('1970-01-01T00:00:10.5Z'), '10.500000000');
    assert.equal(dockerSince('2026-11-22T21:10:00.123456789Z'), `${Date.parse('2026-11-22T21:10:00Z') / 1000}.123456789`);
    assert.throws(() => dockerSince('yesterday'));
  });
});
