import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { RouteTable } from './route-table';

type Row = { app: string; hostnames: string[]; ports: number[] };

/** A database whose answers the test releases one by one, in any order. */
function slowDatabase() {
  const pending: Array<{ resolve: (rows: Row[]) => void; reject: (error: Error) => void }> = [];
  const dataSource = { query: () => new Promise<Row[]>((resolve, reject) => pending.push({ resolve, reject })) } as unknown as DataSource;
  return { dataSource, pending };
}

const ports = (table: RouteTable, host: string) => table.lookup(host)?.upstreams.map((upstream) => upstream.port);

describe('RouteTable', () => {
  it('drops a refresh that started before a newer one finished: drained ports never come back', async () => {
    const db = slowDatabase();
    const table = new RouteTable(db.dataSource);
    const periodic = table.refresh(); // read before the deploy changed the instances
    const onChange = table.refresh(); // read after: the route change's own refresh
    db.pending[1].resolve([{ app: 'shop', hostnames: [], ports: [2002] }]);
    assert.equal(await onChange, true);
    db.pending[0].resolve([{ app: 'shop', hostnames: [], ports: [2001] }]);
    assert.equal(await periodic, true);
    assert.deepEqual(ports(table, 'shop'), [2002]);
  });

  it('installs refreshes that finish in order', async () => {
    const db = slowDatabase();
    const table = new RouteTable(db.dataSource);
    const first = table.refresh();
    db.pending[0].resolve([{ app: 'shop', hostnames: ['shop.example'], ports: [1] }]);
    await first;
    const second = table.refresh();
    db.pending[1].resolve([{ app: 'shop', hostnames: ['shop.example'], ports: [1, 2] }]);
    await second;
    assert.deepEqual(ports(table, 'shop.example'), [1, 2]);
  });

  it('keeps the last table when the database fails, and withdraws drained ports from it', async () => {
    const db = slowDatabase();
    const table = new RouteTable(db.dataSource);
    const first = table.refresh();
    db.pending[0].resolve([{ app: 'shop', hostnames: ['shop.example', '*.wild.example'], ports: [1, 2] }]);
    await first;
    const failing = table.refresh();
    db.pending[1].reject(new Error('connection lost'));
    assert.equal(await failing, false);
    table.withdraw([1]);
    for (const host of ['shop', 'shop.example', 'a.wild.example']) assert.deepEqual(ports(table, host), [2], host);
  });

  it('a cleared table is not refilled by a read that started before the clear', async () => {
    const db = slowDatabase();
    const table = new RouteTable(db.dataSource);
    const older = table.refresh();
    table.clear();
    db.pending[0].resolve([{ app: 'shop', hostnames: [], ports: [1] }]);
    await older;
    assert.equal(table.lookup('shop'), undefined);
    const newer = table.refresh();
    db.pending[1].resolve([{ app: 'shop', hostnames: [], ports: [2] }]);
    await newer;
    assert.deepEqual(ports(table, 'shop'), [2]);
  });
});
