#!/usr/bin/env node
/*
 * Shows that a refactor kept the numbers: trains each config with two builds of ssseg (before, after)
 * at one native thread, each with a data cache of its own, and compares their run folders:
 *   - metrics.jsonl line by line and DONE, every field but wall-clock ones (`time`, `*Seconds`,
 *     `*PerSecond`);
 *   - every checkpoint's tensors by name, dtype, shape and bytes (not the file's bytes: the container
 *     may gain header fields and a checksum), and the checkpoint metadata both write, wall-clock
 *     fields aside (metadata only one side writes is listed as a note);
 *   - the gallery: its index, the images, and the ground-truth and predicted masks as class indices
 *     (a mask PNG's pixel values are classes; its colours, which a dataset may change, are not compared).
 * Prints one row per config and exits 1 on any difference or failed run.
 *
 *   node scripts/equivalence-check.js BEFORE AFTER CONFIG...   (BEFORE, AFTER: a repository root or a CLI script)
 *   node scripts/equivalence-check.js --compare RUN_DIR_A RUN_DIR_B   (two run folders already trained)
 * Options: --keep (keep the temporary folder of the runs), --threads N (default 1).
 * Needs this repository built (it reads the runs through @ssseg/core).
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseArgs } = require('util');
const { decode } = require('fast-png');
const { initEngine, tf } = require('@ssseg/engine');

const USAGE = 'usage: node scripts/equivalence-check.js [--keep] [--threads N] BEFORE AFTER CONFIG...\n'
  + '       node scripts/equivalence-check.js --compare RUN_DIR_A RUN_DIR_B';

class UsageError extends Error {}

const isWallClock = (key) => key === 'time' || /(Seconds|PerSecond)$/.test(key);

/** The `ssseg` script of a build: the path itself when it is a file, else the CLI of the repository there. */
function cliScript(location) {
  const resolved = path.resolve(location);
  const script = fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()
    ? path.join(resolved, 'packages', 'cli', 'bin', 'ssseg.js')
    : resolved;
  if (!fs.existsSync(script)) throw new UsageError(`no ssseg CLI at ${script}`);
  return script;
}

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The first difference between two JSON values, as `path: before vs after`, wall-clock keys aside.
 * A key only one side has is a difference, unless `oneSided` records it and returns true.
 */
function firstDifference(a, b, where, oneSided = () => false) {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && a.length !== b.length) return `${where}: ${a.length} entries before, ${b.length} after`;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !isWallClock(k));
    for (const key of keys) {
      const at = where ? `${where}.${key}` : key;
      if (!(key in a) || !(key in b)) {
        if (oneSided(at, key in a ? 'before' : 'after')) continue;
        return `${at}: ${key in a ? `${show(a[key])} before, absent after` : `absent before, ${show(b[key])} after`}`;
      }
      const found = firstDifference(a[key], b[key], at, oneSided);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${where}: ${show(a)} before, ${show(b)} after`;
}

/** metrics.jsonl line by line, then DONE. */
function compareMetrics(core, dirA, dirB) {
  const [a, b] = [dirA, dirB].map((dir) => core.readMetrics(core.runFile(dir, 'metrics')));
  const lines = Math.min(a.length, b.length);
  for (let i = 0; i < lines; i++) {
    const found = firstDifference(a[i], b[i], '');
    if (found) return { compared: i, difference: `metrics.jsonl line ${i + 1} (the ${a[i].event} record of step ${a[i].step}): ${found}` };
  }
  if (a.length !== b.length) return { compared: lines, difference: `metrics.jsonl: ${a.length} lines before, ${b.length} after` };
  const done = [dirA, dirB].map((dir) => (core.isRunDone(dir) ? core.readDoneMarker(dir) : undefined));
  const found = firstDifference(done[0], done[1], 'DONE');
  return { compared: lines, difference: found };
}

function tensorBytes(t) {
  const values = t.dataSync();
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** The first differing element of two tensors of one dtype and shape, as `at element i: before vs after`. */
function firstDifferingElement(ta, tb) {
  const [va, vb] = [ta.dataSync(), tb.dataSync()];
  const i = va.findIndex((v, k) => !Object.is(v, vb[k]));
  return `element ${i}: ${va[i]} before, ${vb[i]} after`;
}

function compareTensors(file, a, b) {
  const names = [...new Set([...a.tensors.keys(), ...b.tensors.keys()])].sort();
  let compared = 0;
  for (const name of names) {
    const [ta, tb] = [a.tensors.get(name), b.tensors.get(name)];
    if (!ta || !tb) return { compared, difference: `${file}: tensor ${name} ${ta ? 'only before' : 'only after'}` };
    if (ta.dtype !== tb.dtype || show(ta.shape) !== show(tb.shape)) {
      return { compared, difference: `${file}: tensor ${name} is ${ta.dtype} ${show(ta.shape)} before, ${tb.dtype} ${show(tb.shape)} after` };
    }
    if (!tensorBytes(ta).equals(tensorBytes(tb))) return { compared, difference: `${file}: tensor ${name} differs at ${firstDifferingElement(ta, tb)}` };
    compared++;
  }
  return { compared };
}

/** Every checkpoint of the two runs: tensors by name and bytes, then the metadata both write. */
function compareCheckpoints(core, dirA, dirB, notes) {
  const checkpoints = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.ckpt'));
  const files = [...new Set([...checkpoints(dirA), ...checkpoints(dirB)])].sort();
  let compared = 0;
  for (const file of files) {
    const exists = [dirA, dirB].map((dir) => fs.existsSync(path.join(dir, file)));
    if (!exists[0] || !exists[1]) return { compared, difference: `${file} ${exists[0] ? 'only before' : 'only after'}` };
    const [a, b] = [dirA, dirB].map((dir) => core.loadTensorFile(path.join(dir, file)));
    try {
      const tensors = compareTensors(file, a, b);
      compared += tensors.compared;
      if (tensors.difference) return { compared, difference: tensors.difference };
      const found = firstDifference(a.meta, b.meta, `${file} metadata`, (at, side) => notes.add(`${at.replace(/^\S+ /, 'checkpoint ')} written ${side} only`));
      if (found) return { compared, difference: found };
    } finally {
      tf.dispose([...a.tensors.values(), ...b.tensors.values()]);
    }
  }
  return { compared };
}

/** The pixels of a gallery PNG: RGB values for images, class indices for masks (colours not read). */
function pngPixels(file) {
  const png = decode(fs.readFileSync(file));
  return { size: `${png.width}x${png.height}x${png.channels}`, width: png.width, data: Buffer.from(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

function comparePng(name, fileA, fileB, isMask) {
  const [a, b] = [pngPixels(fileA), pngPixels(fileB)];
  if (a.size !== b.size) return `gallery ${name}: ${a.size} before, ${b.size} after`;
  if (a.data.equals(b.data)) return undefined;
  const i = a.data.findIndex((v, k) => v !== b.data[k]);
  const channels = Number(a.size.split('x')[2]);
  const pixel = Math.floor(i / channels);
  const what = isMask ? 'class' : 'value';
  return `gallery ${name}: at (x ${pixel % a.width}, y ${Math.floor(pixel / a.width)}) ${what} ${a.data[i]} before, ${b.data[i]} after`;
}

/** The gallery index (colours aside), then its images, truths and predictions. */
function compareGallery(core, dirA, dirB, notes) {
  const [a, b] = [dirA, dirB].map((dir) => core.readGalleryIndex(dir));
  if (!a && !b) return { compared: 0 };
  if (!a || !b) return { compared: 0, difference: `gallery only ${a ? 'before' : 'after'}` };
  if (show(a.palette) !== show(b.palette)) notes.add('gallery colours differ (masks compared as class indices)');
  const withoutColours = ({ palette, ...index }) => index;
  const found = firstDifference(withoutColours(a), withoutColours(b), 'gallery index');
  if (found) return { compared: 0, difference: found };
  const files = a.images.flatMap((img) => [[img.image, false], [img.truth, true]])
    .concat(a.evaluations.flatMap((e) => e.predictions.map((p) => [p, true])));
  let compared = 0;
  for (const [name, isMask] of files) {
    const difference = comparePng(name, core.galleryFile(dirA, name), core.galleryFile(dirB, name), isMask);
    if (difference) return { compared, difference };
    compared++;
  }
  return { compared };
}

/** Compares two run folders; the first difference found, if any, and what was compared. */
function compareRuns(core, dirA, dirB) {
  const notes = new Set();
  const row = { metrics: 0, tensors: 0, gallery: 0, notes };
  for (const [column, compare] of [['metrics', compareMetrics], ['tensors', compareCheckpoints], ['gallery', compareGallery]]) {
    const { compared, difference } = compare(core, dirA, dirB, notes);
    row[column] = compared;
    if (difference) return { ...row, difference };
  }
  return row;
}

function train(side, cli, config, dir, threads) {
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'run');
  // A folder outside any project, so a CLI finds only the plugins of its own install.
  const result = spawnSync(process.execPath, [cli, 'train', '--config', config, '--out', out, '--threads', String(threads)], {
    cwd: dir,
    env: { ...process.env, SSSEG_NATIVE_THREADS: String(threads), SSSEG_CACHE_DIR: path.join(dir, 'cache') },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${side} failed to train (${result.error?.message ?? `exit ${result.status}`}): ${tail}`);
  }
  return out;
}

function printTable(rows) {
  const header = ['run', 'metrics lines', 'tensors', 'gallery images', 'result'];
  const cells = rows.map((r) => [r.name, String(r.metrics), String(r.tensors), String(r.gallery), r.failure ?? r.difference ?? 'identical']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n'));
  for (const r of rows) for (const note of r.notes ?? []) console.log(`note (${r.name}): ${note}`);
}

/** Trains each config with both CLIs in a temporary folder and compares the two runs of each. */
function trainAndCompare(core, before, after, configs, { keep, threads }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-equivalence-'));
  const rows = [];
  try {
    for (const config of configs) {
      const name = path.basename(config).replace(/\.(ya?ml|json)$/, '');
      try {
        const dirs = [['before', before], ['after', after]].map(([side, cli]) => {
          process.stderr.write(`${name}: training with ${side} (${cli})\n`);
          return train(side, cli, config, path.join(work, name, side), threads);
        });
        rows.push({ name, ...compareRuns(core, dirs[0], dirs[1]) });
      } catch (err) {
        rows.push({ name, metrics: 0, tensors: 0, gallery: 0, failure: err.message });
      }
    }
  } finally {
    if (keep) console.error(`run folders kept in ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { compare: { type: 'boolean' }, keep: { type: 'boolean' }, threads: { type: 'string', default: '1' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return console.log(USAGE), 0;
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer, got '${values.threads}'`);
  if (values.compare ? positionals.length !== 2 : positionals.length < 3) throw new UsageError(USAGE);
  const core = require('@ssseg/core');
  const paths = positionals.map((p) => path.resolve(p));
  const required = values.compare ? paths.map((dir) => core.runFile(dir, 'metrics')) : paths.slice(2);
  const missing = required.find((file) => !fs.existsSync(file));
  if (missing) throw new UsageError(`${values.compare ? 'not a run folder, no' : 'no config at'} ${missing}`);
  const clis = values.compare ? [] : paths.slice(0, 2).map(cliScript);
  await initEngine({ backend: 'cpu' }); // checkpoints are only read
  const rows = values.compare
    ? [{ name: `${path.basename(paths[0])} vs ${path.basename(paths[1])}`, ...compareRuns(core, paths[0], paths[1]) }]
    : trainAndCompare(core, clis[0], clis[1], paths.slice(2), { keep: values.keep, threads });
  printTable(rows);
  return rows.some((r) => r.failure || r.difference) ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(err instanceof UsageError ? err.message : err.stack);
  process.exitCode = 2;
});
