import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogBus } from './log-bus';
import { LogLine, LogPosition, NewLogLine } from './log-line';
import { LogStore } from './log-store';
import { LogWriter } from './log-writer';

/** A store whose appends wait until the test lets them through, and can fail on demand. */
class GatedStore implements Pick<LogStore, 'append'> {
  readonly batches: Array<{ lines: NewLogLine[]; positions: Map<string, LogPosition> }> = [];
  failNext = false;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  private nextId = 1;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  async append(lines: NewLogLine[], positions: Map<string, LogPosition>): Promise<LogLine[]> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database went away');
    }
    this.batches.push({ lines, positions });
    return lines.map((line) => ({ ...line, id: String(this.nextId++) }));
  }
}

class RecordingBus implements Pick<LogBus, 'publish'> {
  readonly published: LogLine[] = [];
  async publish(_app: string, lines: LogLine[]): Promise<void> {
    this.published.push(...lines);
  }
}

const line = (n: number): NewLogLine => ({ time: `2026-11-22T21:10:00.${String(n).padStart(9, '0')}Z`, app: 'a', release: 1, process: 'web', instance: 'i', stream: 'stdout', message: `n${n}` });

function writer(store: GatedStore, bus: RecordingBus, errors: Error[] = []) {
  return new LogWriter(store as unknown as LogStore, bus as unknown as LogBus, { flushMs: 10, batchLines: 100, maxBuffered: 250, onError: (error) => errors.push(error) });
}

describe('LogWriter', () => {
  it('stores lines in order in batches, each with the positions of the lines it holds, then publishes them', async () => {
    const store = new GatedStore();
    const bus = new RecordingBus();
    const subject = writer(store, bus);
    for (let n = 1; n <= 230; n++) await subject.write(line(n), { container: 'c', at: { time: line(n).time, linesAtTime: 1 } });
    await subject.flush();
    assert.deepEqual(store.batches.map((batch) => batch.lines.length), [100, 100, 30]);
    assert.deepEqual(store.batches.map((batch) => batch.positions.get('c')?.time), [line(100).time, line(200).time, line(230).time]);
    assert.deepEqual(bus.published.map((stored) => stored.message), Array.from({ length: 230 }, (_, i) => `n${i + 1}`));
  });

  it('makes writers wait while too many lines are unstored, instead of dropping or growing', async () => {
    const store = new GatedStore();
    store.hold();
    const subject = writer(store, new RecordingBus());
    let written = 0;
    const producer = (async () => {
      for (let n = 1; n <= 400; n++) {
        await subject.write(line(n));
        written = n;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(written < 400 && written >= 250, `the producer is paused at ${written}`);
    store.release();
    await producer;
    await subject.flush();
    assert.equal(store.batches.flatMap((batch) => batch.lines).length, 400);
  });

  it('keeps a batch that failed to store and stores it on the retry, in order', async () => {
    const store = new GatedStore();
    store.failNext = true;
    const errors: Error[] = [];
    const subject = writer(store, new RecordingBus(), errors);
    for (let n = 1; n <= 5; n++) await subject.write(line(n));
    await subject.flush();
    assert.equal(errors.length, 1);
    assert.deepEqual(store.batches.flatMap((batch) => batch.lines).map((stored) => stored.message), ['n1', 'n2', 'n3', 'n4', 'n5']);
  });
});
