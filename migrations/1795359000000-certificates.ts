import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TLS: certificates per hostname (the private key sealed with the data dir's key), the ACME
 * account key per directory, pending http-01 challenges (the router answers them, the worker
 * writes them), and each app's HTTP -> HTTPS redirect switch.
 */
export class Certificates1795359000000 implements MigrationInterface {
  name = 'Certificates1795359000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE certificates (
        hostname text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('pending', 'issued', 'failed')),
        cert_pem text,
        key_sealed text,
        not_after timestamptz,
        last_error text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        issued_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE acme_accounts (
        directory_url text PRIMARY KEY,
        key_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE acme_challenges (
        token text PRIMARY KEY,
        hostname text NOT NULL,
        key_authorization text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`ALTER TABLE apps ADD COLUMN https_redirect boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE apps DROP COLUMN https_redirect`);
    await db.query(`DROP TABLE acme_challenges`);
    await db.query(`DROP TABLE acme_accounts`);
    await db.query(`DROP TABLE certificates`);
  }
}
