#!/usr/bin/env node
// Builds the oneDNN addon (native/) when libdnnl-dev is installed; otherwise prints one line saying
// why it is skipped and exits 0, so the engine falls back to wasm. Rebuilds only when a source changed.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const nativeDir = path.join(__dirname, '..', 'native');
const output = path.join(nativeDir, 'build', 'Release', 'ssseg_native.node');

function skip(reason) {
  process.stdout.write(`[@ssseg/engine] native addon skipped: ${reason}\n`);
  process.exit(0);
}

function oneDnnPresent() {
  if (['/usr/include/dnnl.hpp', '/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/dnnl.hpp'].some((f) => fs.existsSync(f))) return true;
  try {
    execFileSync('pkg-config', ['--exists', 'dnnl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function nodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // npm bundles node-gyp next to the node binary's global modules.
    const bundled = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    return fs.existsSync(bundled) ? bundled : undefined;
  }
}

function newestSource() {
  return fs.readdirSync(nativeDir)
    .filter((f) => /\.(cc|h|gyp)$/.test(f))
    .reduce((newest, f) => Math.max(newest, fs.statSync(path.join(nativeDir, f)).mtimeMs), 0);
}

if (!oneDnnPresent()) skip('libdnnl-dev not installed (no dnnl.hpp); the engine uses wasm');
if (fs.existsSync(output) && fs.statSync(output).mtimeMs >= newestSource()) process.exit(0);
const gyp = nodeGyp();
if (!gyp) skip('node-gyp not found (neither in node_modules nor bundled with npm)');

// Node's own headers, when installed beside the binary, spare node-gyp a download.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const configured = fs.existsSync(path.join(nativeDir, 'build', 'Makefile'))
  && fs.statSync(path.join(nativeDir, 'build', 'Makefile')).mtimeMs >= fs.statSync(path.join(nativeDir, 'binding.gyp')).mtimeMs;
const steps = configured ? [['build']] : [['configure'], ['build']];
for (const step of steps) {
  const result = spawnSync(process.execPath, [gyp, ...step, ...nodedir, '--jobs=2', '--loglevel=warn'], { cwd: nativeDir, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`[@ssseg/engine] native addon build failed (node-gyp ${step[0]}); fix it or uninstall libdnnl-dev to use wasm\n`);
    process.exit(result.status ?? 1);
  }
}
process.stdout.write(`[@ssseg/engine] native addon built: ${path.relative(process.cwd(), output)}\n`);
