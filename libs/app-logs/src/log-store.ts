import { DataSource, EntityManager } from 'typeorm';
import { LogFilter, LogLine, LogPosition, NewLogLine } from './log-line';

export const LOG_STORE = Symbol('LOG_STORE');

/** Where runtime log lines live (see the README's "Logs" for why Postgres). */
export interface LogStore {
  /** Stores lines in order with the containers' new positions, atomically; answers them with ids. */
  append(lines: NewLogLine[], positions: Map<string, LogPosition>): Promise<LogLine[]>;
  /** The last `tail` lines matching, oldest first; or, with `after`, the lines after that id. */
  query(filter: LogFilter, options: { tail: number; after?: string }): Promise<LogLine[]>;
  position(containerId: string): Promise<LogPosition | null>;
  /** Forgets the positions of containers Docker no longer has (`existing` are kept, and recent ones). */
  forgetPositions(existing: string[]): Promise<void>;
  /** Keeps the newest `maxLines` per app and drops the lines of apps that no longer exist. */
  prune(maxLines: number): Promise<number>;
}

interface Row {
  id: string;
  app: string;
  release: number | null;
  process: string | null;
  instance: string | null;
  stream: LogLine['stream'];
  time: string;
  message: string;
}

const COLUMNS = 'id, app, release, process, instance, stream, time, message';

export class PostgresLogStore implements LogStore {
  constructor(private readonly dataSource: DataSource) {}

  async append(lines: NewLogLine[], positions: Map<string, LogPosition>): Promise<LogLine[]> {
    if (lines.length === 0 && positions.size === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      // Per-app lock while ids are drawn and committed: a reader resuming "after id N" of an
      // app never misses a line that got a smaller id but committed later.
      const apps = [...new Set(lines.map((line) => line.app))].sort();
      for (const app of apps) await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth-logs:' || $1))`, [app]);
      const stored = await this.insertLines(manager, lines);
      await this.savePositions(manager, positions);
      return stored;
    });
  }

  async query(filter: LogFilter, options: { tail: number; after?: string }): Promise<LogLine[]> {
    const conditions = ['app = $1'];
    const values: unknown[] = [filter.app];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.process !== undefined) add('process = ?', filter.process);
    if (filter.release !== undefined) add('release = ?', filter.release);
    if (filter.stream !== undefined) add('stream = ?', filter.stream);
    if (options.after !== undefined) add('id > ?', options.after);
    values.push(options.tail);
    const where = conditions.join(' AND ');
    const sql =
      options.after !== undefined
        ? `SELECT ${COLUMNS} FROM app_log_lines WHERE ${where} ORDER BY id ASC LIMIT $${values.length}`
        : `SELECT * FROM (SELECT ${COLUMNS} FROM app_log_lines WHERE ${where} ORDER BY id DESC LIMIT $${values.length}) newest ORDER BY id ASC`;
    const rows: Row[] = await this.dataSource.query(sql, values);
    return rows.map(toLine);
  }

  async position(containerId: string): Promise<LogPosition | null> {
    const rows: Array<{ time: string; lines_at_time: number }> = await this.dataSource.query(`SELECT time, lines_at_time FROM app_log_positions WHERE container_id = $1`, [containerId]);
    return rows[0] ? { time: rows[0].time, linesAtTime: rows[0].lines_at_time } : null;
  }

  async forgetPositions(existing: string[]): Promise<void> {
    // Recent rows stay: a container created after Docker was listed may already have one.
    await this.dataSource.query(`DELETE FROM app_log_positions WHERE NOT (container_id = ANY($1::text[])) AND updated_at < now() - interval '1 hour'`, [existing]);
  }

  async prune(maxLines: number): Promise<number> {
    const gone: [unknown, number] = await this.dataSource.query(`DELETE FROM app_log_lines WHERE app NOT IN (SELECT name FROM apps)`);
    let removed = gone[1];
    const apps: Array<{ app: string }> = await this.dataSource.query(`SELECT DISTINCT app FROM app_log_lines`);
    for (const { app } of apps) {
      const result: [unknown, number] = await this.dataSource.query(
        `DELETE FROM app_log_lines WHERE app = $1 AND id <= (SELECT id FROM app_log_lines WHERE app = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
        [app, maxLines],
      );
      removed += result[1];
    }
    return removed;
  }

  private async insertLines(manager: EntityManager, lines: NewLogLine[]): Promise<LogLine[]> {
    if (lines.length === 0) return [];
    const ids: Array<{ id: string }> = await manager.query(`SELECT nextval('app_log_lines_id_seq')::text AS id FROM generate_series(1, $1)`, [lines.length]);
    const stored = lines.map((line, index) => ({ ...line, id: ids[index].id }));
    await manager.query(
      `INSERT INTO app_log_lines (${COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        stored.map((line) => line.id),
        stored.map((line) => line.app),
        stored.map((line) => line.release),
        stored.map((line) => line.process),
        stored.map((line) => line.instance),
        stored.map((line) => line.stream),
        stored.map((line) => line.time),
        stored.map((line) => line.message.replace(/\u0000/g, '')), // Postgres text cannot hold NUL
      ],
    );
    return stored;
  }

  private async savePositions(manager: EntityManager, positions: Map<string, LogPosition>): Promise<void> {
    if (positions.size === 0) return;
    const entries = [...positions.entries()];
    await manager.query(
      `INSERT INTO app_log_positions (container_id, time, lines_at_time)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
       ON CONFLICT (container_id) DO UPDATE SET time = excluded.time, lines_at_time = excluded.lines_at_time, updated_at = now()`,
      [entries.map(([id]) => id), entries.map(([, position]) => position.time), entries.map(([, position]) => position.linesAtTime)],
    );
  }
}

function toLine(row: Row): LogLine {
  return { id: String(row.id), time: row.time, app: row.app, release: row.release, process: row.process, instance: row.instance, stream: row.stream, message: row.message };
}
