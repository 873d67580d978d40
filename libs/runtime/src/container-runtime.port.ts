/** Labels that tie a container to Berth's records. */
export const BerthLabel = {
  App: 'berth.app',
  Release: 'berth.release',
  Process: 'berth.process',
} as const;

/**
 * The engine that runs deployed containers. Services depend on this port, never on a
 * Docker client, so they stay testable and the engine stays replaceable.
 */
export interface ContainerRuntime {
  /** Resolves when the engine answers; rejects with a RuntimeError otherwise. */
  ping(): Promise<void>;
  /** Stops and removes every container of an app; answers how many there were. */
  removeAppContainers(appName: string): Promise<number>;
}

export const CONTAINER_RUNTIME = Symbol('CONTAINER_RUNTIME');
