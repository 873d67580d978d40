import { ConformanceCase } from '../support/case';
import { ARCHIVE_CASES } from './archives';
import { CONTEXT_CASES } from './context';
import { COPY_CASES } from './copy';
import { ENV_ARG_CASES } from './env-arg';
import { HAND_WRITTEN_CASES } from './hand-written';
import { LAYER_CASES } from './layers';
import { METADATA_CASES } from './metadata';
import { MULTISTAGE_CASES } from './multistage';

/** Every case, slowest first so that its builds start early (the pools run them in this order). */
export const CASES: ConformanceCase[] = [
  ...CONTEXT_CASES.filter((kase) => kase.name === 'large-file'),
  ...ENV_ARG_CASES,
  ...COPY_CASES,
  ...ARCHIVE_CASES,
  ...LAYER_CASES,
  ...MULTISTAGE_CASES,
  ...CONTEXT_CASES.filter((kase) => kase.name !== 'large-file'),
  ...METADATA_CASES,
  ...HAND_WRITTEN_CASES,
];

const names = new Set<string>();
for (const kase of CASES) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(kase.name) || names.has(kase.name)) throw new Error(`case name ${kase.name} is invalid or used twice`);
  names.add(kase.name);
}
