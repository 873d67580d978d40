import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InstanceStatus } from '@berth/db';

export interface Upstream {
  port: number;
}

export interface Route {
  app: string;
  upstreams: Upstream[];
  /** The app's request body limit; null: the router's default (BERTH_ROUTER_MAX_BODY_BYTES). */
  maxBodyBytes?: number | null;
}

const REFRESH_INTERVAL_MS = 1000;

/**
 * Hostname -> app and its healthy web instances, read from the database (the state of
 * record) and refreshed in the background, so a request never waits on a query.
 */
@Injectable()
export class RouteTable implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RouteTable.name);
  private routes = new Map<string, Route>();
  private timer?: NodeJS.Timeout;
  private lastError?: string;
  /** Refreshes are numbered when they start; a table only replaces one read later than itself. */
  private refreshesStarted = 0;
  private installed = 0;

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Exact names first, then the closest wildcard domain (`*.example.com`). */
  lookup(hostname: string): Route | undefined {
    const exact = this.routes.get(hostname);
    if (exact) return exact;
    for (let dot = hostname.indexOf('.'); dot !== -1; dot = hostname.indexOf('.', dot + 1)) {
      const wildcard = this.routes.get(`*${hostname.slice(dot)}`);
      if (wildcard) return wildcard;
    }
    return undefined;
  }

  /**
   * Reads the table again; true when this read (or a later one) is now in use. A periodic
   * refresh that started before a route change must not finish after the change's own refresh
   * and put drained instances back: its older table is dropped.
   */
  async refresh(): Promise<boolean> {
    const number = ++this.refreshesStarted;
    try {
      const routes = await this.load();
      if (number > this.installed) {
        this.routes = routes;
        this.installed = number;
      }
      if (this.lastError) this.logger.log('route table refreshed again after errors');
      this.lastError = undefined;
      return true;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.logger.error(`route table refresh failed, serving the last one: ${message}`);
      this.lastError = message;
      return false;
    }
  }

  /** Forgets every route (until the next refresh): for a table that cannot be trusted. */
  clear(): void {
    this.routes = new Map();
    // Reads already under way are as untrusted as the table: none of them may install it.
    this.installed = this.refreshesStarted;
  }

  /** Whether any route sends traffic to `port`. */
  serves(port: number): boolean {
    for (const route of this.routes.values()) if (route.upstreams.some((upstream) => upstream.port === port)) return true;
    return false;
  }

  /** Takes ports out of every route at once, whatever the database said (drained instances). */
  withdraw(ports: number[]): void {
    if (ports.length === 0) return;
    const gone = new Set(ports);
    const replaced = new Map<Route, Route>();
    for (const [key, route] of this.routes) {
      if (!route.upstreams.some((upstream) => gone.has(upstream.port))) continue;
      let fresh = replaced.get(route);
      if (!fresh) {
        fresh = { app: route.app, upstreams: route.upstreams.filter((upstream) => !gone.has(upstream.port)) };
        replaced.set(route, fresh);
      }
      this.routes.set(key, fresh);
    }
  }

  private async load(): Promise<Map<string, Route>> {
    const rows: Array<{ app: string; hostnames: string[]; ports: number[]; max_body_bytes: string | null }> = await this.dataSource.query(
      `SELECT a.name AS app, a.max_body_bytes,
              COALESCE(array_agg(DISTINCT d.hostname) FILTER (WHERE d.hostname IS NOT NULL), '{}') AS hostnames,
              COALESCE(array_agg(DISTINCT i.port) FILTER (WHERE i.port IS NOT NULL), '{}') AS ports
         FROM apps a
         LEFT JOIN domains d ON d.app_id = a.id
         LEFT JOIN instances i ON i.app_id = a.id AND i.process_type = 'web' AND i.status = $1
        GROUP BY a.name, a.max_body_bytes`,
      [InstanceStatus.Running],
    );
    const routes = new Map<string, Route>();
    for (const row of rows) {
      const maxBodyBytes = row.max_body_bytes === null ? null : Number(row.max_body_bytes);
      const route: Route = { app: row.app, upstreams: row.ports.map((port) => ({ port })), maxBodyBytes };
      routes.set(row.app, route);
      for (const hostname of row.hostnames) routes.set(hostname, route);
    }
    return routes;
  }
}
