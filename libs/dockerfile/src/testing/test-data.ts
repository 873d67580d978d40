import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const RELATIVE_DIR = path.join('libs', 'dockerfile', 'test-data');

/**
 * The fixtures stay in the source tree while the compiled specs may run from anywhere
 * (dist/, /tmp/...), so look from the working directory first, then up from this file.
 */
export function testDataDir(): string {
  const candidates = [process.cwd(), ...ancestors(__dirname)];
  for (const dir of candidates) {
    const candidate = path.join(dir, RELATIVE_DIR);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find ${RELATIVE_DIR} from ${process.cwd()} or ${__dirname}`);
}

function ancestors(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = start; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (path.dirname(dir) === dir) return dirs;
  }
}

export function testDataPath(...parts: string[]): string {
  return path.join(testDataDir(), ...parts);
}

export function readTestData(...parts: string[]): string {
  return readFileSync(testDataPath(...parts), 'utf8');
}

export function readTestJson<T>(...parts: string[]): T {
  return JSON.parse(readTestData(...parts)) as T;
}

export function testDataSubdirectories(...parts: string[]): string[] {
  return readdirSync(testDataPath(...parts), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
