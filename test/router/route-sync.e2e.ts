import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { createDataSource } from '@berth/db';
import { RedisRouterControl, routerKeys } from '@berth/deployer';
import { redisOptionsFromUrl } from '@berth/queue';
import { InFlightRequests, RouteSync, RouteTable } from '@berth/router';
import { createTestEnv, TestEnv } from '../support/test-env';

/** The route-change protocol between the deployer and live routers, over the real Redis and Postgres. */
describe('route changes: routers switch, drain, and acknowledge', () => {
  let env: TestEnv;
  let dataSource: DataSource;
  let control: RedisRouterControl;
  let redis: IORedis;
  const routers: Array<{ sync: RouteSync; table: RouteTable; inFlight: InFlightRequests }> = [];

  async function startRouter() {
    const table = new RouteTable(dataSource);
    const inFlight = new InFlightRequests();
    const sync = new RouteSync(env.config, table, inFlight);
    await sync.onApplicationBootstrap();
    const router = { sync, table, inFlight };
    routers.push(router);
    return router;
  }

  const setStatus = (port: number, status: string) => dataSource.query(`UPDATE instances SET status = $2 WHERE port = $1`, [port, status]);
  const ports = (router: { table: RouteTable }) => router.table.lookup('shop')?.upstreams.map((upstream) => upstream.port).sort();

  before(async () => {
    env = await createTestEnv();
    dataSource = await createDataSource(env.config.databaseUrl).initialize();
    const [app] = await dataSource.query(`INSERT INTO apps (name) VALUES ('shop') RETURNING id`);
    const [release] = await dataSource.query(`INSERT INTO releases (app_id, version, description) VALUES ($1, 1, 'v1') RETURNING id`, [app.id]);
    for (const port of [2001, 2002]) {
      await dataSource.query(`INSERT INTO instances (app_id, release_id, process_type, port, status) VALUES ($1, $2, 'web', $3, 'running')`, [app.id, release.id, port]);
    }
    redis = new IORedis(redisOptionsFromUrl(env.config.redis.url));
    control = new RedisRouterControl(new IORedis(redisOptionsFromUrl(env.config.redis.url)), env.config.redis.prefix);
  });

  after(async () => {
    for (const router of routers) await router.sync.onApplicationShutdown();
    control?.onModuleDestroy();
    redis?.disconnect();
    await dataSource?.destroy();
    await env?.dispose();
  });

  it('waits for the request in flight to a drained instance, which no new request reaches', async () => {
    const [first, second] = [await startRouter(), await startRouter()];
    assert.deepEqual(ports(first), [2001, 2002]);
    first.inFlight.begin(2001);
    await setStatus(2001, 'draining');
    let switched = false;
    const switching = control.switchAndDrain('shop', [2001]).then(() => (switched = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(switched, false, 'a request is still in flight to 2001');
    assert.deepEqual(ports(first), [2002]);
    assert.deepEqual(ports(second), [2002]);
    first.inFlight.end(2001);
    await switching;
  });

  it('does not wait for a router that died: its heartbeat expires', async () => {
    const keys = routerKeys(env.config.redis.prefix);
    await redis.set(keys.alive('dead-router'), '1', 'EX', 1);
    await redis.set(keys.acked('dead-router'), '0');
    const started = Date.now();
    await setStatus(2002, 'draining');
    await control.switchAndDrain('shop', [2002]);
    assert.ok(Date.now() - started < 5_000, `switched in ${Date.now() - started} ms`);
  });

  it('a router that starts after a change serves the new routes and owes no acknowledgement', async () => {
    await setStatus(2001, 'running');
    await control.switchAndDrain('shop', []);
    const late = await startRouter();
    assert.deepEqual(ports(late), [2001]);
    const keys = routerKeys(env.config.redis.prefix);
    assert.equal(await redis.get(keys.generation), await redis.get(keys.acked((late.sync as unknown as { id: string }).id)));
  });

  it('catches up after its Redis connection was lost: reloads, drains, then acknowledges the missed change', async () => {
    const router = await startRouter();
    await setStatus(2002, 'running');
    await router.table.refresh();
    router.inFlight.begin(2002);
    const subscriber = (router.sync as unknown as { subscriber: IORedis }).subscriber;
    subscriber.disconnect(false);
    await setStatus(2002, 'draining');
    let switched = false;
    const switching = control.switchAndDrain('shop', [2002]).then(() => (switched = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(ports(router), [2001, 2002], 'the message was missed');
    await subscriber.connect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(ports(router), [2001], 'reloaded on reconnect');
    assert.equal(switched, false, 'a request is still in flight to 2002');
    router.inFlight.end(2002);
    await switching;
  });
});
