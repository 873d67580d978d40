/** Tells the routers to send an app's traffic to its running instances, and waits until the old ones are drained. */
export interface RouterControl {
  switchAndDrain(app: string, drainPorts: number[]): Promise<void>;
}

export interface HealthTarget {
  containerId: string;
  port: number;
  process: string;
  /** The image's own HEALTHCHECK, when it has one: then Docker's health status decides. */
  usesImageHealthcheck: boolean;
}

/** Resolves when an instance is healthy; rejects with the reason (exit code, status, timeout). */
export interface HealthProbe {
  waitHealthy(target: HealthTarget, timeoutMs: number): Promise<void>;
  /** One check of a running instance: true, or what was wrong. */
  checkOnce(target: HealthTarget): Promise<true | string>;
}

/** Host ports for new instances (containers use host networking). */
export interface PortAllocator {
  allocate(count: number): Promise<number[]>;
}

export const ROUTER_CONTROL = Symbol('ROUTER_CONTROL');
export const HEALTH_PROBE = Symbol('HEALTH_PROBE');
export const PORT_ALLOCATOR = Symbol('PORT_ALLOCATOR');
