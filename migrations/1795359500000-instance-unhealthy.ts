import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An instance the health monitor took out of the rotation is 'unhealthy' until its replacement
 * serves; it still holds its host port, so the live-port index covers it.
 */
export class InstanceUnhealthy1795359500000 implements MigrationInterface {
  name = 'InstanceUnhealthy1795359500000';

  async up(db: QueryRunner): Promise<void> {
    await this.statuses(db, ['starting', 'running', 'draining', 'unhealthy', 'stopped', 'crashed'], ['starting', 'running', 'draining', 'unhealthy']);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE instances SET status = 'crashed' WHERE status = 'unhealthy'`);
    await this.statuses(db, ['starting', 'running', 'draining', 'stopped', 'crashed'], ['starting', 'running', 'draining']);
  }

  private async statuses(db: QueryRunner, all: string[], live: string[]): Promise<void> {
    const list = (values: string[]) => values.map((value) => `'${value}'`).join(', ');
    await db.query(`ALTER TABLE instances DROP CONSTRAINT IF EXISTS instances_status_check`);
    await db.query(`ALTER TABLE instances ADD CONSTRAINT instances_status_check CHECK (status IN (${list(all)}))`);
    await db.query(`DROP INDEX IF EXISTS instances_live_port_idx`);
    await db.query(`CREATE UNIQUE INDEX instances_live_port_idx ON instances (port) WHERE status IN (${list(live)})`);
  }
}
