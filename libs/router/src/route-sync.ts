import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { BERTH_CONFIG, BerthConfig } from '@berth/config';
import { DRAIN_TIMEOUT_MS, ROUTER_HEARTBEAT_SECONDS, RouteChange, routerKeys } from '@berth/deployer';
import { redisOptionsFromUrl } from '@berth/queue';
import { Acknowledgements } from './acknowledgements';
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
  private readonly acks = new Acknowledgements();

  constructor(
    @Inject(BERTH_CONFIG) config: BerthConfig,
    private readonly routes: RouteTable,
    private readonly inFlight: InFlightRequests,
  ) {
    this.keys = routerKeys(config.redis.prefix);
    this.redis = new IORedis(redisOptionsFromUrl(config.redis.url));
    this.subscriber = new IORedis(redisOptionsFromUrl(config.redis.url));
  }

  /**
   * Subscribes first, then reads the generation, then the routes: the deployer writes the
   * database before it bumps the generation, so routes read after generation G include every
   * change up to G, and later ones arrive as messages. Only then does the router owe nothing.
   */
  async onApplicationBootstrap(): Promise<void> {
    this.subscriber.on('message', (_, message: string) => void this.apply(JSON.parse(message) as RouteChange));
    await this.subscriber.subscribe(this.keys.channel);
    this.subscriber.on('ready', () => void this.catchUp().catch((error: Error) => this.logger.error(`catching up after a Redis reconnect failed: ${error.message}`)));
    const generation = (await this.redis.get(this.keys.generation)) ?? '0';
    // Without a fresh read the table may predate the generation: serve nothing rather than stale routes.
    if (!(await this.routes.refresh())) this.routes.clear();
    await this.ack(this.acks.raise(Number(generation)));
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), (ROUTER_HEARTBEAT_SECONDS * 1000) / 3);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.redis.del(this.keys.alive(this.id), this.keys.acked(this.id)).catch(() => undefined);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private async apply(change: RouteChange): Promise<void> {
    this.acks.begin(change.generation);
    try {
      // Drained ports leave the table even when the database cannot be read right now.
      await this.routes.refresh();
      this.routes.withdraw(change.drainPorts);
      const drained = await this.inFlight.waitDrained(change.drainPorts, DRAIN_TIMEOUT_MS);
      if (!drained) this.logger.warn(`requests to ${change.app} ports ${change.drainPorts.join(', ')} still in flight after ${DRAIN_TIMEOUT_MS / 1000}s`);
    } catch (error) {
      this.logger.error(`applying route change ${change.generation} failed: ${(error as Error).message}`);
    }
    await this.ack(this.acks.finish(change.generation)).catch(() => undefined);
  }

  /**
   * After a reconnect, messages may have been missed: reload, wait for requests still in
   * flight to ports no route holds any more, and acknowledge the generation read before.
   */
  private async catchUp(): Promise<void> {
    const generation = Number((await this.redis.get(this.keys.generation)) ?? '0');
    await this.routes.refresh();
    // apply() reads the routes once more; the in-flight ports are judged against this newer table.
    const gone = this.inFlight.ports().filter((port) => !this.routes.serves(port));
    await this.apply({ generation, app: '(all)', drainPorts: gone });
  }

  private async ack(generation: number | undefined): Promise<void> {
    if (generation === undefined) return;
    await this.redis.set(this.keys.acked(this.id), String(generation));
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.keys.alive(this.id), '1', 'EX', ROUTER_HEARTBEAT_SECONDS);
  }
}
