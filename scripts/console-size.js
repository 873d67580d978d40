#!/usr/bin/env node
'use strict';
// Prints the console bundle's size gzipped (what a browser downloads on a first visit:
// index.html and every asset). `--json` prints {"files": {...}, "gzipBytes": N} for tests.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const DIR = path.join(__dirname, '..', 'dist', 'console');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

if (!fs.existsSync(path.join(DIR, 'index.html'))) {
  console.error(`console-size: ${DIR}/index.html is missing; run npm run build`);
  process.exit(1);
}
const files = {};
let gzipBytes = 0;
for (const file of walk(DIR)) {
  const size = zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  files[path.relative(DIR, file)] = size;
  gzipBytes += size;
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ files, gzipBytes }));
else console.log(`console bundle: ${(gzipBytes / 1024).toFixed(1)} KB gzipped (${Object.keys(files).length} files)`);
