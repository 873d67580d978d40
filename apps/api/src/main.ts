import { Logger } from '@nestjs/common';
import { ensureAdminToken } from '@berth/auth';
import { BerthConfig } from '@berth/config';
import { DataSource } from 'typeorm';
import { createApiApp } from './create-api-app';

export async function runApi(config: BerthConfig): Promise<void> {
  const app = await createApiApp(config);
  const logger = new Logger('Api');
  const { generatedToken } = await ensureAdminToken(app.get(DataSource), config.adminToken);
  if (generatedToken) logger.log(`admin API token (shown once, keep it): ${generatedToken}`);
  await app.listen(config.api.port, '0.0.0.0');
  logger.log(`api listening on http://0.0.0.0:${config.api.port}`);
}
