import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GitHub links (one per app; secrets encrypted at rest) and every webhook delivery received.
 * A delivery claims its (hook, delivery id) and its body once: replays, forgeries and bad bodies
 * are still recorded, but outside the unique indexes so they can never block the genuine one.
 */
export class Github1795360000000 implements MigrationInterface {
  name = 'Github1795360000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE github_links (
      app_id uuid PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
      repository text NOT NULL,
      branch text NOT NULL,
      clone_url text NOT NULL,
      berth_url text NOT NULL,
      secret_encrypted text NOT NULL,
      deploy_key_public text,
      deploy_key_encrypted text,
      token_encrypted text,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE TABLE github_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
      hook_id text NOT NULL,
      delivery_id text NOT NULL,
      event text NOT NULL,
      ref text,
      after_sha text,
      body_sha256 text NOT NULL,
      result text NOT NULL,
      detail text,
      build_id uuid REFERENCES builds(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await db.query(`CREATE UNIQUE INDEX github_deliveries_claim_idx ON github_deliveries (app_id, hook_id, delivery_id)
      WHERE result NOT IN ('rejected', 'invalid', 'duplicate')`);
    // The delivery id is a header outside the signature: a captured payload resent under a new
    // id has the same bytes, so the body's hash is claimed once too.
    await db.query(`CREATE UNIQUE INDEX github_deliveries_body_idx ON github_deliveries (app_id, body_sha256)
      WHERE result NOT IN ('rejected', 'invalid', 'duplicate')`);
    await db.query(`CREATE INDEX github_deliveries_app_created_idx ON github_deliveries (app_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE github_deliveries`);
    await db.query(`DROP TABLE github_links`);
  }
}
