import fs from 'node:fs/promises';
import path from 'node:path';
import { writeBigCopyContext } from './app-context';
import { BerthBuilder } from './builders';
import { BigCopyResult } from './report';
import { Workspace } from './workspace';

/**
 * `COPY big.bin` of one incompressible file, in a fresh data dir, with the berth process's peak
 * RSS sampled from /proc. The file is made at bench time and deleted right after, data dir too.
 */
export async function runBigCopy(ws: Workspace, berth: BerthBuilder, bytes: number): Promise<BigCopyResult> {
  const context = path.join(ws.root, 'big-context');
  const dataDir = path.join(ws.root, 'berth-data-big');
  try {
    await writeBigCopyContext(context, ws.baseTag, bytes);
    await berth.cloneDataDir(ws.berthTemplate, dataDir);
    const run = await berth.build(dataDir, context, `${ws.appTag}-big`, { sampleRss: true });
    if (run.peakRssKb === null || run.peakRssKb === 0) throw new Error('could not read VmHWM of the berth process from /proc');
    return { bytes, seconds: run.seconds, peakRssMb: (run.peakRssKb * 1024) / 1e6 };
  } finally {
    await fs.rm(context, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
