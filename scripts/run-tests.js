#!/usr/bin/env node
// Checks the package graph (scripts/check-package-graph.js), runs every workspace's jest suite
// through turbo, then prints one closing line over all of them ("Tests: N passed, N failed,
// N skipped") read from each suite's JSON results.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, '.cache', 'test-results');
fs.rmSync(resultsDir, { recursive: true, force: true });
fs.mkdirSync(resultsDir, { recursive: true });

// the package graph first: a cycle or an undeclared import fails fast, before any build
const graph = spawnSync(process.execPath, [path.join(__dirname, 'check-package-graph.js')], { cwd: root, stdio: 'inherit' });
if (graph.status !== 0) process.exit(graph.status ?? 1);

const args = ['turbo', 'run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', SSSEG_TEST_RESULTS: resultsDir };
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env });

let passed = 0, failed = 0, skipped = 0, suitesFailed = 0;
for (const file of fs.readdirSync(resultsDir)) {
  const r = JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  suitesFailed += r.numFailedTestSuites;
}
const status = run.status ?? 1;
if (suitesFailed && !failed) failed = suitesFailed; // a suite that failed to load ran no test
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 ? status : failed ? 1 : 0);
