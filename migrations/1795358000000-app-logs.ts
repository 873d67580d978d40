import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Apps' runtime logs (what containers printed, and Berth's own events about them) and, per
 * container, how far the collector has stored its output: written in the same transaction
 * as the lines, so a restart resumes exactly there.
 */
export class AppLogs1795358000000 implements MigrationInterface {
  name = 'AppLogs1795358000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE app_log_lines (
        id bigserial PRIMARY KEY,
        app text NOT NULL,
        release integer,
        process text,
        instance text,
        stream text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'berth')),
        time text NOT NULL,
        message text NOT NULL
      )`);
    await db.query(`CREATE INDEX app_log_lines_app_id ON app_log_lines (app, id)`);
    // The console's usual filter: one process type of the app, newest first.
    await db.query(`CREATE INDEX app_log_lines_app_process_id ON app_log_lines (app, process, id)`);
    await db.query(`
      CREATE TABLE app_log_positions (
        container_id text PRIMARY KEY,
        time text NOT NULL,
        lines_at_time integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE app_log_positions`);
    await db.query(`DROP TABLE app_log_lines`);
  }
}
