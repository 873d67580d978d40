import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { RouteTable } from './route-table';

describe('RouteTable.lookup (issue 6 item 5: custom and wildcard domains)', () => {
  async function table(): Promise<RouteTable> {
    const rows = [
      { app: 'shop', hostnames: ['www.shop.example', '*.shop.example'], ports: [20001] },
      { app: 'blog', hostnames: ['blog.shop.example', '*.eu.shop.example'], ports: [] },
    ];
    const routes = new RouteTable({ query: async () => rows } as unknown as DataSource);
    await routes.refresh();
    return routes;
  }

  it('finds apps by name and by exact custom domain', async () => {
    const routes = await table();
    assert.equal(routes.lookup('shop')?.app, 'shop');
    assert.equal(routes.lookup('www.shop.example')?.app, 'shop');
    assert.equal(routes.lookup('blog.shop.example')?.app, 'blog', 'an exact domain beats a wildcard');
  });

  it('covers subdomains with the closest wildcard, but not the bare parent', async () => {
    const routes = await table();
    assert.equal(routes.lookup('api.shop.example')?.app, 'shop');
    assert.equal(routes.lookup('a.b.shop.example')?.app, 'shop');
    assert.equal(routes.lookup('paris.eu.shop.example')?.app, 'blog', 'the most specific wildcard wins');
    assert.equal(routes.lookup('shop.example'), undefined);
    assert.equal(routes.lookup('elsewhere.example'), undefined);
  });
});
