import type { Writable } from 'node:stream';

/** What a build reports while it runs; the worker streams it to `git push`, the CLI to a terminal. */
export interface BuildProgress {
  step(label: string, instruction: string): void;
  cached(): void;
  output(chunk: Buffer): void;
  stepDone(seconds: number): void;
  info(line: string): void;
  warn(line: string): void;
}

/**
 * Docker-like plain text: "Step 2/5 : RUN make", then " ---> Using cache" or the step's
 * output, then " ---> Done in 1.2s". Output is forwarded as lines so prefixes stay clean.
 */
export class TextProgress implements BuildProgress {
  private partialLine = '';

  constructor(private readonly out: Writable) {}

  step(label: string, instruction: string): void {
    this.flushPartial();
    this.write(`${label} : ${instruction}`);
  }

  cached(): void {
    this.write(' ---> Using cache');
  }

  output(chunk: Buffer): void {
    const text = this.partialLine + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) this.write(line.replace(/\r$/, ''));
  }

  stepDone(seconds: number): void {
    this.flushPartial();
    this.write(` ---> Done in ${seconds.toFixed(2)}s`);
  }

  info(line: string): void {
    this.flushPartial();
    this.write(line);
  }

  warn(line: string): void {
    this.flushPartial();
    this.write(`WARNING: ${line}`);
  }

  private flushPartial(): void {
    if (this.partialLine === '') return;
    this.write(this.partialLine);
    this.partialLine = '';
  }

  private write(line: string): void {
    this.out.write(`${line}\n`);
  }
}

/** Keeps the last lines of a step's output, so a failure can show them. */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly limit = 20) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }

  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].slice(-this.limit).join('\n');
  }
}

/** Numbers steps across all stages of a build: "Step 3/9". */
export class StepCounter {
  private current = 0;

  constructor(readonly total: number) {}

  next(): string {
    return `Step ${++this.current}/${this.total}`;
  }
}
