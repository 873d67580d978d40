import type { Redis } from 'ioredis';
import { RouterControl } from './deployer.ports';
import { DRAIN_TIMEOUT_MS, RouteChange, routerKeys } from './router-protocol';

const POLL_MS = 50;

/** The deployer's side of the route-change protocol (see router-protocol.ts). */
export class RedisRouterControl implements RouterControl {
  private readonly keys: ReturnType<typeof routerKeys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = routerKeys(prefix);
  }

  async switchAndDrain(app: string, drainPorts: number[]): Promise<void> {
    const generation = await this.redis.incr(this.keys.generation);
    const change: RouteChange = { generation, app, drainPorts };
    await this.redis.publish(this.keys.channel, JSON.stringify(change));
    const deadline = Date.now() + DRAIN_TIMEOUT_MS + 5_000;
    while (Date.now() < deadline) {
      if (await this.allAcknowledged(generation)) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`the routers did not confirm the switch of ${app} within ${(DRAIN_TIMEOUT_MS + 5_000) / 1000}s`);
  }

  /** Nest calls this on shutdown: the connection is this object's own. */
  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private async allAcknowledged(generation: number): Promise<boolean> {
    const routers = (await this.redis.keys(this.keys.alivePattern)).map(this.keys.routerIdOfAliveKey);
    if (routers.length === 0) return true;
    const acked = await this.redis.mget(routers.map((id) => this.keys.acked(id)));
    return acked.every((value) => Number(value ?? 0) >= generation);
  }
}
