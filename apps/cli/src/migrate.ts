import { BerthConfig } from '@berth/config';
import { revertLastMigration, runMigrations } from '@berth/db';

/** Quiet when nothing is pending, so scripts/bootstrap stays quiet. */
export async function runMigrate(config: BerthConfig, args: string[]): Promise<number> {
  if (args.includes('--revert')) {
    const reverted = await revertLastMigration(config.databaseUrl);
    console.log(reverted ? `reverted migration ${reverted}` : 'no migration to revert');
    return 0;
  }
  const ran = await runMigrations(config.databaseUrl);
  for (const name of ran) console.log(`migrated: ${name}`);
  return 0;
}
