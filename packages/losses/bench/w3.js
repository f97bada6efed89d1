#!/usr/bin/env node
// Benchmark W3 (the IPixMatch term alone). Build first: `npx tsup` in packages/losses.
// Usage: node packages/losses/bench/w3.js [--backend wasm|cpu] [--sizes 1024,4096,16384] [--repeats 3] [--warmup 1] [--json] [--no-naive]
const { runW3, formatW3 } = require('../dist/index.js');

const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const options = {
  backend: value('--backend') ?? 'wasm',
  sizes: value('--sizes') ? value('--sizes').split(',').map(Number) : undefined,
  repeats: value('--repeats') ? Number(value('--repeats')) : undefined,
  warmup: value('--warmup') ? Number(value('--warmup')) : undefined,
  naive: !args.includes('--no-naive'),
  onRow: args.includes('--json') ? undefined : (row) => process.stderr.write(`${JSON.stringify(row)}\n`),
};
runW3(options).then((rows) => {
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(rows, null, 2)}\n` : `${formatW3(rows)}\n`);
});
