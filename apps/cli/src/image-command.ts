import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BerthConfig } from '@berth/config';
import { openLayerStore } from './layer-store-access';

const USAGE = 'usage: berth image ls | berth image save NAME:TAG -o FILE | berth image gc';

export async function runImage(config: BerthConfig, argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    if (subcommand === 'ls') return await listImages(config);
    if (subcommand === 'save') return await saveImage(config, rest);
    if (subcommand === 'gc') return await collectGarbage(config);
  } catch (error) {
    console.error(`berth image ${subcommand}: ${(error as Error).message}`);
    return 1;
  }
  console.error(USAGE);
  return 2;
}

async function listImages(config: BerthConfig): Promise<number> {
  const store = await openLayerStore(config);
  const rows = (await store.listImages()).map((image) => [image.reference, image.digest, humanSize(image.size)]);
  const table = [['NAME:TAG', 'DIGEST', 'SIZE'], ...rows];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  return 0;
}

async function saveImage(config: BerthConfig, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
  if (positionals.length !== 1 || !values.output) {
    console.error(USAGE);
    return 2;
  }
  const store = await openLayerStore(config);
  const temp = `${values.output}.partial`;
  try {
    await store.saveDockerArchive(positionals[0], createWriteStream(temp));
    await fs.rename(temp, values.output);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  return 0;
}

/** Removes blobs and snapshots that no tag, running build or release needs. */
async function collectGarbage(config: BerthConfig): Promise<number> {
  const store = await openLayerStore(config);
  const report = await store.gc();
  console.log(`removed ${report.removedBlobs.length} blobs and ${report.removedSnapshots.length} snapshots, ${humanSize(report.bytesFreed)} freed`);
  return 0;
}

function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)}${units[unit]}`;
}
