import fs from 'node:fs/promises';
import path from 'node:path';

/** Environment variables the api hands to receive-pack, which its hooks inherit. */
export const PUSH_ENV = { url: 'BERTH_PUSH_URL', secret: 'BERTH_PUSH_SECRET' } as const;

/** The last line of the api's answer: the hook's exit code. Never shown to the user. */
export const EXIT_MARKER = '\u0000berth-exit:';

/**
 * The pre-receive hook every app repository shares. It makes the pushed objects visible to
 * other processes, hands the ref updates to the api
 * (loopback, with the per-push secret), prints the build and deploy log as it streams back —
 * each line starting with ESC[1G, which moves the cursor over git's "remote: " prefix as Dokku
 * does — and exits with the api's verdict, so a failed build rejects the push.
 */
export function preReceiveHookScript(nodeBinary: string): string {
  return `#!${nodeBinary}
'use strict';
const http = require('node:http');
const url = process.env.${PUSH_ENV.url};
const secret = process.env.${PUSH_ENV.secret};
if (!url || !secret) {
  process.stdout.write('This push did not come through Berth\\'s api; refusing it.\\n');
  process.exit(1);
}
// git keeps a push's objects in quarantine until this hook succeeds; the worker that builds the
// commit is another process, so the (immutable, content-addressed) objects are copied in now.
const quarantine = process.env.GIT_QUARANTINE_PATH;
if (quarantine) {
  const fs = require('node:fs');
  const path = require('node:path');
  fs.cpSync(quarantine, path.resolve(process.env.GIT_DIR || '.', 'objects'), { recursive: true, force: false });
}
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const updates = input.split('\\n').filter(Boolean).map((line) => {
    const [oldRev, newRev, ref] = line.split(' ');
    return { oldRev, newRev, ref };
  });
  const body = JSON.stringify({ updates });
  const request = http.request(url, { method: 'POST', headers: { authorization: 'Bearer ' + secret, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
    let pending = '';
    let code = 1;
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith(${JSON.stringify(EXIT_MARKER)})) code = Number(line.slice(${EXIT_MARKER.length}));
        else process.stdout.write('\\x1b[1G' + line + '\\n');
      }
    });
    response.on('end', () => {
      if (pending) process.stdout.write('\\x1b[1G' + pending + '\\n');
      process.exit(code);
    });
  });
  request.on('error', (error) => {
    process.stdout.write('Berth\\'s api could not be reached (' + error.message + '); nothing was deployed.\\n');
    process.exit(1);
  });
  request.end(body);
});
`;
}

/** Writes the hook into the shared hooks directory (idempotent; replaced on every start). */
export async function installPreReceiveHook(hooksDir: string, nodeBinary: string): Promise<void> {
  await fs.mkdir(hooksDir, { recursive: true });
  const file = path.join(hooksDir, 'pre-receive');
  await fs.writeFile(`${file}.tmp`, preReceiveHookScript(nodeBinary), { mode: 0o755 });
  await fs.rename(`${file}.tmp`, file);
}
