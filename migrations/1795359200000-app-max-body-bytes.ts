import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-app request body limit enforced by the router; NULL: the router's default. */
export class AppMaxBodyBytes1795359200000 implements MigrationInterface {
  name = 'AppMaxBodyBytes1795359200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE apps ADD COLUMN max_body_bytes bigint CHECK (max_body_bytes >= 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE apps DROP COLUMN max_body_bytes`);
  }
}
