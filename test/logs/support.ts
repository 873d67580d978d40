import { randomUUID } from 'node:crypto';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppEventsModule, LogCollectionService, LogCollectorModule, LogLine } from '@berth/app-logs';
import { BerthConfig, ConfigModule } from '@berth/config';
import { DbModule } from '@berth/db';
import { InstanceSpec } from '@berth/runtime';
import { eventually } from '../support/test-env';

/** The worker's log collection alone: what `berth worker` runs for logs, as a fresh process would. */
@Module({})
class CollectorHostModule {
  static forRoot(config: BerthConfig): DynamicModule {
    return {
      module: CollectorHostModule,
      imports: [ConfigModule.forRoot(config), DbModule.forRoot(config.databaseUrl), AppEventsModule, LogCollectorModule],
    };
  }
}

export async function startCollector(config: BerthConfig, runtimeModule: DynamicModule, options: { waitForLease?: boolean } = {}): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext({ module: class Host {}, imports: [runtimeModule, CollectorHostModule.forRoot(config)] } as DynamicModule, {
    logger: ['error'],
  });
  await context.init();
  if (options.waitForLease !== false) await eventually(async () => context.get(LogCollectionService).collector.running, 10_000, 'the collector to take the lease');
  return context;
}

/** An instance as the deployer would start it: the app's labels, busybox, host networking. */
export function instanceSpec(app: string, image: string, command: string, version = 1): InstanceSpec {
  return { app, instanceId: randomUUID(), releaseId: randomUUID(), version, process: 'web', image, command, env: {}, port: 0 };
}

/** Reads an SSE body into events as they arrive. */
export class SseReader {
  readonly lines: Array<LogLine & { receivedAt: number }> = [];
  readonly comments: string[] = [];
  private buffer = '';

  constructor(private readonly body: ReadableStream<Uint8Array>) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.onEvent(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by the test
    }
  }

  private onEvent(block: string): void {
    if (block.startsWith(':')) return void this.comments.push(block);
    const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
    const line = JSON.parse(fields.data) as LogLine;
    if (fields.id !== line.id || fields.event !== 'line') throw new Error(`bad SSE event: ${block}`);
    this.lines.push({ ...line, receivedAt: Date.now() });
  }
}
