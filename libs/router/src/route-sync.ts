import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { DRAIN_TIMEOUT_MS, ROUTER_HEARTBEAT_SECONDS, RouteChange, routerKeys } from '@berth/deployer';
import { redisOptionsFromUrl } from '@berth/queue';
import { InFlightRequests } from './in-flight';
import { RouteTable } from './route-table';

/**
 * The router's side of the route-change protocol: on a change it reloads its routes at once,
 * waits until no request is in flight to the drained instances, then acknowledges, so the
 * deployer stops old containers only when no request can reach them any more.
 */
@Injectable()
export class RouteSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RouteSync.name);
  private readonly id = randomUUID();
  private readonly keys: ReturnType<typeof routerKeys>;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    @Inject(BERTH_CONFIG) config: BerthConfig,
    private readonly routes: RouteTable,
    private readonly inFlight: InFlightRequests,
  ) {
    this.keys = routerKeys(config.redis.prefix);
    this.redis = new IORedis(redisOptionsFromUrl(config.redis.url));
    this.subscriber = new IORedis(redisOptionsFromUrl(config.redis.url));
  }

  async onApplicationBootstrap(): Promise<void> {
    // A router that just started has the newest routes: it owes no earlier acknowledgement.
    await this.redis.set(this.keys.acked(this.id), (await this.redis.get(this.keys.generation)) ?? '0');
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), (ROUTER_HEARTBEAT_SECONDS * 1000) / 3);
    this.subscriber.on('message', (_, message: string) => void this.apply(JSON.parse(message) as RouteChange));
    await this.subscriber.subscribe(this.keys.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(this.keys.alive(this.id), this.keys.acked(this.id)).catch(() => undefined);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private async apply(change: RouteChange): Promise<void> {
    try {
      await this.routes.refresh();
      const drained = await this.inFlight.waitDrained(change.drainPorts, DRAIN_TIMEOUT_MS);
      if (!drained) this.logger.warn(`requests to ${change.app} ports ${change.drainPorts.join(', ')} still in flight after ${DRAIN_TIMEOUT_MS / 1000}s`);
      await this.redis.set(this.keys.acked(this.id), String(change.generation));
    } catch (error) {
      this.logger.error(`applying route change ${change.generation} failed: ${(error as Error).message}`);
    }
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.keys.alive(this.id), '1', 'EX', ROUTER_HEARTBEAT_SECONDS);
  }
}
