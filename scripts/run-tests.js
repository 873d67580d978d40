#!/usr/bin/env node
'use strict';
// Runs every compiled test with node's test runner: unit tests (*.spec.js, beside the code)
// and integration/e2e tests (test/**/*.e2e.js) against the real services bootstrap started.
// Ends with one summary line: "N passed, N failed, N skipped".
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('node:test');
const { spec } = require('node:test/reporters');

const DIST = path.join(__dirname, '..', 'dist');
const pattern = process.argv[2] ? new RegExp(process.argv[2]) : null;

function findTests(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, found);
    else if (/\.(spec|e2e)\.js$/.test(entry.name) && (!pattern || pattern.test(full)) && hasSource(full)) found.push(full);
  }
  return found;
}

/** A compiled test whose .ts source was moved or deleted is stale output, not a test. */
function hasSource(compiled) {
  const source = path.join(__dirname, '..', path.relative(DIST, compiled)).replace(/\.js$/, '.ts');
  return fs.existsSync(source);
}

const files = findTests(DIST).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/; run scripts/bootstrap first');
  process.exit(1);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();
const stream = run({ files, concurrency: 2, timeout: 10 * 60 * 1000 });
stream.on('test:pass', (event) => {
  if (event.details?.type === 'suite') return;
  if (event.skip || event.todo) counts.skipped += 1;
  else counts.passed += 1;
});
stream.on('test:fail', (event) => {
  // A suite fails too when one of its tests does (counted already); any other suite failure
  // (a hook that threw, a suite left pending when the event loop ran dry) is one of its own.
  if (event.details?.type === 'suite' && event.details?.error?.failureType === 'subtestsFailed') return;
  counts.failed += 1;
});
const reporter = stream.compose(spec);
reporter.pipe(process.stdout, { end: false });
reporter.on('end', () => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${files.length} test files in ${seconds}s`);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
});
