'use strict';
// Berth's pre-receive hook, shared by every app repository; the api installs it at start with a
// #! line for its own node. It runs as git's child, so its inputs are its environment (the
// push's callback URL and one-time secret, which the api gives receive-pack) and the ref
// updates on stdin. The names and the exit marker are those of libs/git/src/push-hook.ts.
const EXIT_MARKER = '\u0000berth-exit:';
const http = require('node:http');
const url = process.env.BERTH_PUSH_URL;
const secret = process.env.BERTH_PUSH_SECRET;
if (!url || !secret) {
  process.stdout.write('This push did not come through Berth\'s api; refusing it.\n');
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
  const updates = input.split('\n').filter(Boolean).map((line) => {
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
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.startsWith(EXIT_MARKER)) code = Number(line.slice(EXIT_MARKER.length));
        else process.stdout.write('\x1b[1G' + line + '\n');
      }
    });
    response.on('end', () => {
      if (pending) process.stdout.write('\x1b[1G' + pending + '\n');
      process.exit(code);
    });
  });
  request.on('error', (error) => {
    process.stdout.write('Berth\'s api could not be reached (' + error.message + '); nothing was deployed.\n');
    process.exit(1);
  });
  request.end(body);
});
