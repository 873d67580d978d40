import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The busybox-httpd site of the e2e tests: Berth builds it from the pushed commit, Docker from
 * the work tree; the same three files either way (.git stays out of Docker's context).
 * `marker` sits in a shell comment of the RUN line, so this run's BuildKit cache records can be
 * told apart at cleanup; it changes nothing the build does.
 */
export function siteDockerfile(baseRef: string, marker: string): string {
  return [
    `FROM ${baseRef}`,
    `RUN mkdir /www # ${marker}`,
    'COPY index.html /www/index.html',
    // The app stops on SIGTERM (busybox httpd as PID 1 would ignore it until Docker's SIGKILL).
    'CMD ["sh", "-c", "trap \'exit 0\' TERM; busybox httpd -f -p $PORT -h /www & wait"]',
    '',
  ].join('\n');
}

/** index.html at `revision`: a small page whose one changing line is the revision line. */
export function indexHtml(revision: number): string {
  return [
    '<!doctype html>',
    '<html>',
    '<head><title>bench site</title></head>',
    '<body>',
    '<h1>Berth push benchmark</h1>',
    `<p>revision ${revision}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export async function writeSite(dir: string, baseRef: string, marker: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'Dockerfile'), siteDockerfile(baseRef, marker));
  await fs.writeFile(path.join(dir, '.dockerignore'), '.git\n');
  await writeRevision(dir, 0);
}

/** The one-line change each round makes. */
export async function writeRevision(dir: string, revision: number): Promise<void> {
  await fs.writeFile(path.join(dir, 'index.html'), indexHtml(revision));
}
