import { MigrationInterface, QueryRunner } from 'typeorm';

/** Apps, their builds, releases, config, domains and instances; users and their API tokens. */
export class InitialSchema1795353600000 implements MigrationInterface {
  name = 'InitialSchema1795353600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE,
      role text NOT NULL CHECK (role IN ('admin', 'member')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      UNIQUE (user_id, name)
    )`);
    await db.query(`CREATE TABLE apps (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
      deploy_branch text NOT NULL DEFAULT 'main',
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE builds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'superseded', 'cancelled')),
      source text NOT NULL CHECK (source IN ('git-push', 'webhook', 'api')),
      commit_sha text,
      branch text,
      image_digest text,
      triggered_by uuid REFERENCES users(id) ON DELETE SET NULL,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    await db.query(`CREATE INDEX builds_app_created_idx ON builds (app_id, created_at DESC)`);
    await db.query(`CREATE TABLE releases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version > 0),
      build_id uuid REFERENCES builds(id) ON DELETE SET NULL,
      image_digest text,
      config jsonb NOT NULL DEFAULT '{}',
      process_types jsonb NOT NULL DEFAULT '{}',
      description text NOT NULL,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (app_id, version)
    )`);
    await db.query(`CREATE TABLE config_vars (
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      key text NOT NULL CHECK (key ~ '^[A-Za-z_][A-Za-z0-9_]*$'),
      value text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app_id, key)
    )`);
    await db.query(`CREATE TABLE domains (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      hostname text NOT NULL UNIQUE CHECK (hostname = lower(hostname)),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE instances (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      release_id uuid NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
      process_type text NOT NULL,
      container_id text UNIQUE,
      port integer CHECK (port BETWEEN 1 AND 65535),
      status text NOT NULL CHECK (status IN ('starting', 'running', 'draining', 'stopped', 'crashed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Two live instances never share a host port (containers use host networking).
    await db.query(`CREATE UNIQUE INDEX instances_live_port_idx ON instances (port)
      WHERE status IN ('starting', 'running', 'draining')`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['instances', 'domains', 'config_vars', 'releases', 'builds', 'apps', 'api_tokens', 'users']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
