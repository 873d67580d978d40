import { MigrationInterface, QueryRunner } from 'typeorm';

/** Instances per process type (`{"web": 2}`) and resource limits per app. */
export class AppFormation1795357000000 implements MigrationInterface {
  name = 'AppFormation1795357000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE apps ADD COLUMN formation jsonb NOT NULL DEFAULT '{}'`);
    await db.query(`ALTER TABLE apps ADD COLUMN memory_mb integer CHECK (memory_mb > 0)`);
    await db.query(`ALTER TABLE apps ADD COLUMN cpus numeric(6, 3) CHECK (cpus > 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE apps DROP COLUMN cpus`);
    await db.query(`ALTER TABLE apps DROP COLUMN memory_mb`);
    await db.query(`ALTER TABLE apps DROP COLUMN formation`);
  }
}
