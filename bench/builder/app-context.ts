import { randomFillSync } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Shape of the benchmark app: a small shell "service" with vendored deps and static assets. */
export const SOURCE_FILES = 300;
const SOURCE_DIRS = ['src/routes', 'src/lib', 'src/models', 'src/util'];
const FUNCTIONS_PER_FILE = 40;
const DEPENDENCIES = 40;
const FILES_PER_DEPENDENCY = 50;
const ASSETS = 10;
const ASSET_BYTES = 64 * 1024;

/** The file scenario (c) edits: one source file in the middle of the tree. */
export const CHANGED_SOURCE = 'src/lib/m149.sh';

/** The same base image on both sides: busybox, made by Berth itself as in the e2e tests. */
export async function writeBaseContext(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.copyFile('/bin/busybox', path.join(dir, 'busybox'));
  await fs.chmod(path.join(dir, 'busybox'), 0o755);
  await fs.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n');
}

/**
 * A realistic cache-friendly Dockerfile: dependency manifest first, an "install" RUN that
 * generates 2,000 files, then the rest of the sources and a "build" RUN over them.
 * `marker` appears in a RUN line so this run's Docker build-cache records can be found again.
 */
export function appDockerfile(baseRef: string, marker: string): string {
  const install = [
    'mkdir -p vendor',
    `while read name version; do mkdir -p "vendor/$name"; i=0; while [ $i -lt ${FILES_PER_DEPENDENCY} ]; do echo "module.exports = '$name@$version#$i';" > "vendor/$name/f$i.js"; i=$((i+1)); done; done < deps.txt`,
    `echo ${marker} > vendor/.installed`,
  ].join(' && ');
  const build = "find src -name '*.sh' | sort | xargs cat > dist.sh && sha256sum dist.sh vendor/*/f0.js > dist.sha256 && wc -l dist.sh";
  return [
    `FROM ${baseRef}`,
    'WORKDIR /app',
    'ENV APP_ENV=production',
    'COPY deps.txt ./',
    `RUN ${install}`,
    'COPY . .',
    `RUN ${build}`,
    'CMD ["sh", "/app/dist.sh"]',
    '',
  ].join('\n');
}

/** Steps that make layers in appDockerfile (WORKDIR, COPY, RUN, COPY, RUN), for cache checks. */
export const APP_FILE_STEPS = 5;
/** Of those, the ones still cached after CHANGED_SOURCE changed (WORKDIR, COPY deps.txt, RUN). */
export const APP_STEPS_BEFORE_SOURCES = 3;

export async function writeAppContext(dir: string, baseRef: string, marker: string): Promise<void> {
  const files = new Map<string, string | Buffer>();
  files.set('Dockerfile', appDockerfile(baseRef, marker));
  files.set('.dockerignore', '*.log\ntmp/\n');
  files.set('README.md', '# bench app\n\nA shell service used by Berth\'s builder benchmark.\n');
  files.set('deps.txt', Array.from({ length: DEPENDENCIES }, (_, i) => `dep${i} 1.${i}.0\n`).join(''));
  files.set('debug.log', 'ignored by .dockerignore\n');
  files.set('tmp/scratch.txt', 'ignored by .dockerignore\n');
  for (let i = 0; i < SOURCE_FILES; i++) files.set(sourcePath(i), sourceFile(i, 0));
  for (let i = 0; i < ASSETS; i++) files.set(`assets/blob${i}.bin`, randomFillSync(Buffer.alloc(ASSET_BYTES)));
  for (const [name, content] of files) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
}

/** Scenario (c): one source file gets a new revision (same size class, new content). */
export async function changeOneSource(dir: string, revision: number): Promise<void> {
  const index = Number(/m(\d+)\.sh$/.exec(CHANGED_SOURCE)![1]);
  await fs.writeFile(path.join(dir, CHANGED_SOURCE), sourceFile(index, revision));
}

function sourcePath(index: number): string {
  return `${SOURCE_DIRS[index % SOURCE_DIRS.length]}/m${String(index).padStart(3, '0')}.sh`;
}

function sourceFile(index: number, revision: number): string {
  const lines = [`# module ${index}, revision ${revision}`];
  for (let j = 0; j < FUNCTIONS_PER_FILE; j++) lines.push(`fn_${index}_${j}() { echo "module ${index} function ${j}: $*"; }`);
  return `${lines.join('\n')}\n`;
}

/** A context whose only payload is one file of `bytes` incompressible bytes. */
export async function writeBigCopyContext(dir: string, baseRef: string, bytes: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'Dockerfile'), `FROM ${baseRef}\nCOPY big.bin /data/big.bin\n`);
  const handle = await fs.open(path.join(dir, 'big.bin'), 'w');
  try {
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let written = 0; written < bytes; written += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, bytes - written));
    }
  } finally {
    await handle.close();
  }
}
