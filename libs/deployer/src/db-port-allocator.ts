import net from 'node:net';
import { DataSource, In } from 'typeorm';
import { InstanceEntity, InstanceStatus } from '@berth/db';
import { DeployerError, DeployerErrorCode } from './deployer.errors';
import { PortAllocator } from './deployer.ports';

export const DEFAULT_PORT_RANGE = { first: 20000, last: 29999 };

/**
 * Ports from a managed range that no live instance holds (the database's partial unique index
 * backs this up) and that nothing else on the host is bound to right now.
 */
export class DbPortAllocator implements PortAllocator {
  private cursor: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly range = DEFAULT_PORT_RANGE,
  ) {
    this.cursor = range.first + Math.floor(Math.random() * (range.last - range.first));
  }

  async allocate(count: number): Promise<number[]> {
    const taken = new Set(
      (await this.dataSource.getRepository(InstanceEntity).find({ where: { status: In([InstanceStatus.Starting, InstanceStatus.Running, InstanceStatus.Draining, InstanceStatus.Unhealthy]) } }))
        .map((instance) => instance.port),
    );
    const ports: number[] = [];
    const size = this.range.last - this.range.first + 1;
    for (let tried = 0; ports.length < count && tried < size; tried++) {
      const port = this.next();
      if (!taken.has(port) && (await bindable(port))) ports.push(port);
    }
    if (ports.length < count) throw new DeployerError(DeployerErrorCode.NoPortsLeft, `no free port left in ${this.range.first}-${this.range.last}`);
    return ports;
  }

  private next(): number {
    this.cursor = this.cursor >= this.range.last ? this.range.first : this.cursor + 1;
    return this.cursor;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}
