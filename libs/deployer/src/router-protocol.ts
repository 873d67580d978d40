/**
 * How the deployer and the routers agree that traffic has moved, over Redis:
 * the deployer bumps a generation and publishes {generation, app, drainPorts}; each live
 * router reloads its routes, waits until no request is in flight to the drained ports, and
 * acknowledges the generation. Routers announce themselves with a heartbeat key.
 */
export interface RouteChange {
  generation: number;
  app: string;
  drainPorts: number[];
}

export function routerKeys(prefix: string) {
  return {
    channel: `${prefix}:routes`,
    generation: `${prefix}:routes:generation`,
    alivePattern: `${prefix}:router:*:alive`,
    alive: (routerId: string) => `${prefix}:router:${routerId}:alive`,
    acked: (routerId: string) => `${prefix}:router:${routerId}:acked`,
    routerIdOfAliveKey: (key: string) => key.slice(`${prefix}:router:`.length, -':alive'.length),
  };
}

export const ROUTER_HEARTBEAT_SECONDS = 10;
/** Longest a router waits for in-flight requests to drained instances before acknowledging. */
export const DRAIN_TIMEOUT_MS = 30_000;
