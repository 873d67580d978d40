import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryFailedError, Repository } from 'typeorm';
import { BerthConfig } from '@berth/config';
import { DomainEntity } from '@berth/db';
import { AppsError, AppsErrorCode } from './apps.errors';
import { DomainsService } from './domains.service';

/** A repository that stores in memory and, like Postgres' unique index, refuses a second owner. */
function memoryRepository(): Repository<DomainEntity> {
  const rows: DomainEntity[] = [];
  return {
    create: (values: Partial<DomainEntity>) => ({ ...values }) as DomainEntity,
    save: async (row: DomainEntity) => {
      if (rows.some((existing) => existing.hostname === row.hostname)) throw new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));
      rows.push({ ...row, createdAt: new Date() });
      return row;
    },
  } as unknown as Repository<DomainEntity>;
}

describe('DomainsService (issue 6 item 5: custom and wildcard domains)', () => {
  const service = () => new DomainsService(memoryRepository(), { router: { domain: 'apps.example.com' } } as BerthConfig);
  const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (error instanceof AppsError ? error.code : String(error)));

  it('stores hostnames lower-case without a trailing dot, wildcards included', async () => {
    const domains = service();
    assert.equal((await domains.add('app-1', ' WWW.Shop.Example. ')).hostname, 'www.shop.example');
    assert.equal((await domains.add('app-1', '*.Shop.Example')).hostname, '*.shop.example');
  });

  it('gives a hostname to one app only: 409 for the second, whatever its case', async () => {
    const domains = service();
    await domains.add('app-1', 'www.shop.example');
    assert.equal(await code(domains.add('app-2', 'WWW.shop.example')), AppsErrorCode.DomainTaken);
    assert.equal(await code(domains.add('app-2', '*.shop.example')), 'ok', 'a wildcard is a hostname of its own');
    assert.equal(await code(domains.add('app-3', '*.shop.example')), AppsErrorCode.DomainTaken);
  });

  it('refuses what is not a hostname, wildcards not at the start, and Berth\'s own app namespace', async () => {
    const domains = service();
    for (const bad of ['not a host', 'localhost', 'a..b.example', '-a.example', 'www.*.example', '*', '*.com.', `${'a'.repeat(64)}.example`, 'other.apps.example.com', '*.apps.example.com']) {
      assert.equal(await code(domains.add('app-1', bad)), AppsErrorCode.InvalidDomain, bad);
    }
    assert.equal(await code(domains.add('app-1', 'deep.other.apps.example.com')), 'ok', 'deeper names are not app names');
  });
});
