import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConfigVarEntity } from '@berth/db';
import { ReleasesError, ReleasesErrorCode } from './releases.errors';

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const MAX_VALUE_BYTES = 32 * 1024;
/** Berth sets PORT itself; an app cannot override it. */
const RESERVED_KEYS = new Set(['PORT']);

export type ConfigPatch = Record<string, string | null>;

/** An app's config vars: environment variables of every release made after a change. */
@Injectable()
export class ConfigVarsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(appId: string): Promise<Record<string, string>> {
    const vars = await this.dataSource.getRepository(ConfigVarEntity).find({ where: { appId }, order: { key: 'ASC' } });
    return Object.fromEntries(vars.map((entry) => [entry.key, entry.value]));
  }

  /** Sets keys with a string, removes keys with null, in one transaction; answers whether anything changed. */
  async patch(appId: string, patch: ConfigPatch): Promise<boolean> {
    checkPatch(patch);
    const before = await this.get(appId);
    const changed = Object.entries(patch).some(([key, value]) => (value === null ? key in before : before[key] !== value));
    if (!changed) return false;
    await this.dataSource.transaction(async (manager) => {
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) await manager.delete(ConfigVarEntity, { appId, key });
        else await manager.upsert(ConfigVarEntity, { appId, key, value }, ['appId', 'key']);
      }
    });
    return true;
  }
}

function checkPatch(patch: ConfigPatch): void {
  const entries = Object.entries(patch);
  if (entries.length === 0) throw new ReleasesError(ReleasesErrorCode.InvalidConfig, 'give at least one config var: {"KEY": "value"} sets it, {"KEY": null} removes it');
  for (const [key, value] of entries) {
    if (!KEY.test(key)) throw new ReleasesError(ReleasesErrorCode.InvalidConfig, `"${key}" is not a valid variable name (letters, digits and _, not starting with a digit)`);
    if (RESERVED_KEYS.has(key)) throw new ReleasesError(ReleasesErrorCode.InvalidConfig, `${key} is set by Berth and cannot be configured`);
    if (value !== null && typeof value !== 'string') throw new ReleasesError(ReleasesErrorCode.InvalidConfig, `${key}: the value must be a string, or null to remove it`);
    if (value !== null && Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new ReleasesError(ReleasesErrorCode.InvalidConfig, `${key}: the value is larger than ${MAX_VALUE_BYTES} bytes`);
  }
}
