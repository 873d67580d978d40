import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeKey } from './router.server';

describe('routeKey', () => {
  it('maps NAME.DOMAIN (any port, any case) to the app name', () => {
    assert.equal(routeKey('myapp.localhost:8080', 'localhost'), 'myapp');
    assert.equal(routeKey('MyApp.Apps.Example.com', 'apps.example.com'), 'myapp');
    assert.equal(routeKey('myapp.localhost.', 'localhost'), 'myapp');
  });

  it('keeps other hosts whole, for custom domains', () => {
    assert.equal(routeKey('www.shop.example', 'localhost'), 'www.shop.example');
    assert.equal(routeKey('a.b.localhost', 'localhost'), 'a.b.localhost');
  });

  it('has no key without a Host header', () => {
    assert.equal(routeKey(undefined, 'localhost'), undefined);
  });
});
