import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Releases get a status: a release is made before its deploy, and only a deployed one is what
 * the app serves; a failed deploy leaves the previous release current.
 */
export class ReleaseStatus1795356000000 implements MigrationInterface {
  name = 'ReleaseStatus1795356000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE releases ADD COLUMN status text NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'deploying', 'deployed', 'failed'))`);
    await db.query(`ALTER TABLE releases ADD COLUMN deployed_at timestamptz`);
    await db.query(`ALTER TABLE releases ADD COLUMN error text`);
    await db.query(`CREATE INDEX releases_app_deployed_idx ON releases (app_id, version DESC) WHERE status = 'deployed'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS releases_app_deployed_idx`);
    await db.query(`ALTER TABLE releases DROP COLUMN error`);
    await db.query(`ALTER TABLE releases DROP COLUMN deployed_at`);
    await db.query(`ALTER TABLE releases DROP COLUMN status`);
  }
}
