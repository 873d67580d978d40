import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { revertLastMigration, runMigrations } from '@berth/db';
import { MIGRATIONS } from '@berth/migrations';
import { createTestEnv, TestEnv } from '../support/test-env';

const TABLES = ['acme_accounts', 'acme_challenges', 'api_tokens', 'app_log_lines', 'app_log_positions', 'apps', 'builds', 'certificates', 'config_vars', 'domains', 'github_deliveries', 'github_links', 'instances', 'releases', 'users'];

describe('migrations', () => {
  let env: TestEnv;

  before(async () => {
    env = await createTestEnv({ migrate: false });
  });

  after(async () => env?.dispose());

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: env.config.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function tables(): Promise<string[]> {
    const rows = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
    );
    return rows.map((row) => row.table_name);
  }

  it('migration class names end with their timestamp', () => {
    for (const migration of MIGRATIONS) assert.match(migration.name, /\d{13}$/);
  });

  it('up creates the schema, and running again does nothing', async () => {
    assert.equal((await runMigrations(env.config.databaseUrl)).length, MIGRATIONS.length);
    assert.deepEqual(await tables(), TABLES);
    assert.deepEqual(await runMigrations(env.config.databaseUrl), []);
  });

  it('enforces uniqueness and foreign keys', async () => {
    await query(`INSERT INTO apps (name) VALUES ('one')`);
    await assert.rejects(query(`INSERT INTO apps (name) VALUES ('one')`), /duplicate key/);
    await assert.rejects(query(`INSERT INTO apps (name) VALUES ('Bad_Name')`), /check constraint/);
    await assert.rejects(
      query(`INSERT INTO builds (app_id, status, source) VALUES (gen_random_uuid(), 'queued', 'api')`),
      /foreign key/,
    );
    const [app] = await query<{ id: string }>(`SELECT id FROM apps WHERE name = 'one'`);
    await query(`INSERT INTO releases (app_id, version, description) VALUES ($1, 1, 'v1')`, [app.id]);
    await assert.rejects(query(`INSERT INTO releases (app_id, version, description) VALUES ($1, 1, 'again')`, [app.id]), /duplicate key/);
    await query(`DELETE FROM apps WHERE id = $1`, [app.id]);
    assert.deepEqual(await query(`SELECT * FROM releases`), [], 'an app takes its releases with it');
  });

  it('down removes everything up created, and up works again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) assert.ok(await revertLastMigration(env.config.databaseUrl));
    assert.deepEqual(await tables(), []);
    assert.equal(await revertLastMigration(env.config.databaseUrl), null);
    await runMigrations(env.config.databaseUrl);
    assert.deepEqual(await tables(), TABLES);
  });
});
