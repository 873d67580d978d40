#!/usr/bin/env node
'use strict';
// Runs every benchmark (bench/**/*.bench.ts, compiled to dist/bench) one after another, each in
// its own process, then prints one summary of their results against their targets.
//   node scripts/run-bench.js [NAME|PATTERN]... [--strict]
// With no NAME all benchmarks run. A NAME is a benchmark's name (bench/NAME/NAME.bench.ts is
// `NAME`: builder, registry, push, ...); anything that is no name is a regular expression
// matched against the path below bench/. --strict exits 1 when a target is missed (default:
// only when a benchmark fails to run). Each benchmark writes its rows to $BENCH_SUMMARY_FILE.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SOURCES = path.join(ROOT, 'bench');
const DIST = path.join(ROOT, 'dist', 'bench');

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const selectors = args.filter((arg) => !arg.startsWith('--'));

function walk(dir, suffix, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, suffix, found);
    else if (entry.name.endsWith(suffix)) found.push(full);
  }
  return found;
}

/** scripts/bootstrap rebuilds only when apps/libs/test change; recompile when bench/ is newer than its output. */
function ensureCompiled() {
  const stale = walk(SOURCES, '.ts').some((source) => {
    const output = path.join(DIST, path.relative(SOURCES, source)).replace(/\.ts$/, '.js');
    return !fs.existsSync(output) || fs.statSync(output).mtimeMs < fs.statSync(source).mtimeMs;
  });
  if (!stale) return;
  console.log('run-bench: compiling bench/ (npm run build)');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('run-bench: the build failed; see above');
    process.exit(1);
  }
}

/** bench/registry/registry.bench.ts is `registry`; any other layout is its path below bench/. */
function benchName(file) {
  const relative = path.relative(DIST, file).replace(/\.bench\.js$/, '');
  const parts = relative.split(path.sep);
  return parts.length === 2 && parts[0] === parts[1] ? parts[0] : parts.join('/');
}

/** Every benchmark when nothing is asked for; else, per selector, the one so named or those whose path matches. */
function selectBenchmarks(files) {
  if (selectors.length === 0) return files;
  const chosen = new Set();
  for (const selector of selectors) {
    const named = files.filter((file) => benchName(file) === selector);
    const matching = named.length > 0 ? named : files.filter((file) => new RegExp(selector).test(path.relative(DIST, file)));
    if (matching.length === 0) {
      console.error(`run-bench: no benchmark is named or matches ${JSON.stringify(selector)}; there are: ${files.map(benchName).join(', ')}`);
      process.exit(1);
    }
    for (const file of matching) chosen.add(file);
  }
  return files.filter((file) => chosen.has(file));
}

function runBenchmark(file) {
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-summary-')), 'summary.json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY_FILE: summaryFile } });
    // Ctrl-C reaches the benchmark too; it cleans up and exits, and we report what happened.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.once('close', (code, signal) => {
      process.off('SIGINT', ignore);
      let summary = null;
      try {
        summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
      } catch {
        // no summary: the benchmark failed before the end
      }
      fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
      resolve({ file, code, signal, summary });
    });
  });
}

function printSummary(outcomes, seconds) {
  console.log(`\n=== bench summary (${seconds.toFixed(0)}s) ===`);
  const rows = [['benchmark', 'metric', 'value', 'target', 'met']];
  for (const outcome of outcomes) {
    const name = benchName(outcome.file);
    if (!outcome.summary) {
      rows.push([name, `FAILED (exit ${outcome.code ?? outcome.signal})`, '', '', '']);
      continue;
    }
    for (const row of outcome.summary.rows) rows.push([name, row.metric, row.value, row.target, row.met ? 'yes' : 'NO']);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  const all = outcomes.flatMap((outcome) => (outcome.summary ? outcome.summary.rows : []));
  const failed = outcomes.filter((outcome) => !outcome.summary).length;
  console.log(`\n${all.filter((row) => row.met).length}/${all.length} targets met, ${failed} benchmark(s) failed to run`);
  return { missed: all.some((row) => !row.met), failed };
}

async function main() {
  ensureCompiled();
  const all = walk(DIST, '.bench.js')
    .filter((file) => fs.existsSync(path.join(SOURCES, path.relative(DIST, file)).replace(/\.js$/, '.ts')))
    .sort();
  if (all.length === 0) {
    console.error('run-bench: no benchmarks found under dist/bench; run scripts/bootstrap first');
    process.exit(1);
  }
  const files = selectBenchmarks(all);
  const started = Date.now();
  const outcomes = [];
  for (const file of files) {
    console.log(`\n=== ${path.relative(ROOT, file)} ===`);
    outcomes.push(await runBenchmark(file));
  }
  const { missed, failed } = printSummary(outcomes, (Date.now() - started) / 1000);
  process.exitCode = failed > 0 || (strict && missed) ? 1 : 0;
}

main();
