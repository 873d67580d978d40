import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LOG_STORE, LogStore } from '@berth/app-logs';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { Digest, LayerStore } from '@berth/layer-store';
import { registryUploadsDir, removeAbandonedUploads } from '@berth/registry';
import { LAYER_STORE } from './worker.tokens';

const INTERVAL_MS = 60 * 60 * 1000;
const FIRST_RUN_DELAY_MS = 5 * 60 * 1000;

/**
 * Hourly housekeeping: the layer store's GC (what no tag, release or running build needs goes)
 * registry upload sessions abandoned for an hour, and apps' runtime logs beyond the retention limit.
 */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceService.name);
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LAYER_STORE) private readonly store: LayerStore,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
    @Inject(LOG_STORE) private readonly logs: LogStore,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.run().catch((error: Error) => this.logger.error(`maintenance failed: ${error.message}`));
    this.timers = [setTimeout(run, FIRST_RUN_DELAY_MS), setInterval(run, INTERVAL_MS)];
    for (const timer of this.timers) timer.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  async run(): Promise<void> {
    const uploads = await removeAbandonedUploads(registryUploadsDir(this.config.dataDir));
    const releases: Array<{ image_digest: string }> = await this.dataSource.query(`SELECT DISTINCT image_digest FROM releases WHERE image_digest IS NOT NULL`);
    const report = await this.store.gc({ extraRoots: releases.map((release) => release.image_digest as Digest) });
    const logLines = await this.logs.prune(this.config.appLogs.retentionLines);
    this.logger.log(`gc: ${report.removedBlobs.length} blobs, ${report.removedSnapshots.length} snapshots, ${report.bytesFreed} bytes freed; ${uploads.length} abandoned uploads; ${logLines} log lines over retention`);
  }
}
