/**
 * Where runtime logs should live: appends of 200,000 lines in batches of 1,000 (what the
 * collector's writer does) and tail queries (100 newest lines, unfiltered and filtered to a
 * process that printed 1% of them), Postgres (the chosen store) against one append-only
 * NDJSON file per app. Run it with `node scripts/run-bench.js logs`.
 * Environment: BENCH_LOG_LINES (default 200000).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LogFilter, LogLine, PostgresLogStore } from '@berth/app-logs';
import { createDataSource } from '@berth/db';
import { createTestEnv } from '../../test/support/test-env';
import { SummaryRow, writeSummary } from '../builder/report';
import { FileLogStore } from './file-log-store';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 200_000);
const BATCH = 1000;
const QUERIES = 20;
/** The collector must keep up with a 10k lines/s burst with room to spare. */
const APPEND_TARGET = 20_000;

function batchOf(start: number): Array<Omit<LogLine, 'id'>> {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = start + i;
    return { time: new Date(1_700_000_000_000 + n).toISOString(), app: 'bench', release: 1, process: n % 100 === 0 ? 'worker' : 'web', instance: 'i-1', stream: 'stdout', message: `GET /items/${n} 200 ${n % 977} ms user-agent=bench` };
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

interface Store {
  append(lines: Array<Omit<LogLine, 'id'>>): Promise<unknown>;
  tail(filter: LogFilter): Promise<LogLine[]>;
  /** 100 lines after the line with this rank (1-based) of the app. */
  after(rank: number): Promise<LogLine[]>;
}

async function measure(name: string, { append, tail, after }: Store) {
  const appendMs = await timed(async () => {
    for (let start = 0; start < LINES; start += BATCH) await append(batchOf(start));
  });
  const mean = async (query: () => Promise<LogLine[]>) => {
    let total = 0;
    for (let i = 0; i < QUERIES; i++) {
      total += await timed(async () => {
        if ((await query()).length !== 100) throw new Error(`${name}: a query answered the wrong number of lines`);
      });
    }
    return total / QUERIES;
  };
  const tailMs = await mean(() => tail({ app: 'bench' }));
  const filteredMs = await mean(() => tail({ app: 'bench', process: 'worker' }));
  const afterMs = await mean(() => after(LINES / 2));
  return { name, linesPerSecond: Math.round(LINES / (appendMs / 1000)), tailMs, filteredMs, afterMs };
}

async function main(): Promise<void> {
  const env = await createTestEnv();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-logs-bench-'));
  const dataSource = await createDataSource(env.config.databaseUrl).initialize();
  try {
    const postgres = new PostgresLogStore(dataSource);
    const files = new FileLogStore(dir);
    const firstId = async () => Number((await postgres.query({ app: 'bench' }, { tail: 1, after: '0' }))[0].id);
    const results = [
      await measure('postgres', {
        append: (lines) => postgres.append(lines, new Map([['c1', { time: lines[lines.length - 1].time, linesAtTime: 1 }]])),
        tail: (filter) => postgres.query(filter, { tail: 100 }),
        after: async (rank) => postgres.query({ app: 'bench' }, { tail: 100, after: String((await firstId()) + rank - 1) }),
      }),
      await measure('files', { append: (lines) => files.append('bench', lines), tail: (filter) => files.tail(filter, 100), after: (rank) => files.after('bench', rank, 100) }),
    ];
    console.log(`${LINES} lines, batches of ${BATCH}; queries answer 100 lines (mean of ${QUERIES})`);
    console.log('store      append lines/s   tail ms   tail ms (1% filter)   after cursor ms');
    for (const r of results) {
      console.log(`${r.name.padEnd(10)} ${String(r.linesPerSecond).padStart(14)} ${r.tailMs.toFixed(1).padStart(9)} ${r.filteredMs.toFixed(1).padStart(21)} ${r.afterMs.toFixed(1).padStart(17)}`);
    }
    const rows: SummaryRow[] = results.flatMap((r) => [
      { metric: `logs ${r.name}: append lines/s`, value: String(r.linesPerSecond), target: `>= ${APPEND_TARGET}`, met: r.linesPerSecond >= APPEND_TARGET },
      { metric: `logs ${r.name}: filtered tail ms`, value: r.filteredMs.toFixed(1), target: '<= 100', met: r.filteredMs <= 100 },
    ]);
    writeSummary('logs', rows);
  } finally {
    await dataSource.destroy();
    await fs.rm(dir, { recursive: true, force: true });
    await env.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
