import { DockerBuilder } from './builders';

/** One BuildKit cache record as `docker system df -v` lists it. */
export interface CacheRecord {
  ID: string;
  Parent: string;
  Description: string;
}

export async function listBuildCache(docker: DockerBuilder): Promise<CacheRecord[]> {
  const result = await docker.run(['system', 'df', '-v', '--format', '{{json .BuildCache}}']);
  if (result.code !== 0) throw new Error(`docker system df failed: ${result.stderr.trim()}`);
  const parsed = JSON.parse(result.stdout.trim() || '[]') as CacheRecord[] | null;
  return parsed ?? [];
}

/**
 * The cache records this run created, deepest first. Other sessions may share this dockerd, so
 * nothing is pruned wholesale: only records created since `before` that are, descend from or lead
 * to a record whose description carries this run's marker (its RUN line).
 */
export function recordsOfRun(before: ReadonlySet<string>, records: CacheRecord[], marker: string): string[] {
  const fresh = new Map(records.filter((record) => !before.has(record.ID)).map((record) => [record.ID, record]));
  const mine = new Set([...fresh.values()].filter((record) => record.Description.includes(marker)).map((record) => record.ID));
  for (const id of [...mine]) {
    for (let parent = fresh.get(id)?.Parent; parent && fresh.has(parent); parent = fresh.get(parent)?.Parent) mine.add(parent);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const record of fresh.values()) {
      if (!mine.has(record.ID) && mine.has(record.Parent)) {
        mine.add(record.ID);
        grew = true;
      }
    }
  }
  return [...mine].sort((a, b) => depth(fresh, b) - depth(fresh, a));
}

function depth(records: Map<string, CacheRecord>, id: string): number {
  let levels = 0;
  for (let parent = records.get(id)?.Parent; parent && records.has(parent); parent = records.get(parent)?.Parent) levels++;
  return levels;
}

/** `docker builder prune` takes one id filter per call; children go before their parents. */
export async function pruneRecords(docker: DockerBuilder, ids: string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const id of ids) {
    const result = await docker.run(['builder', 'prune', '-a', '-f', '--filter', `id=${id}`]);
    if (result.code !== 0) problems.push(`docker builder prune ${id}: ${result.stderr.trim()}`);
  }
  return problems;
}
