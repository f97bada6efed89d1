#!/usr/bin/env node
// W4: tfjs vs onnxruntime-node inference of the W2 model. `npx tsup` in packages/models first, then
//   node packages/models/scripts/bench-w4.js [--backend wasm|cpu] [--runs 5] [--threads N]
// Prints the result as JSON.
const { runW4 } = require('../dist/index.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

runW4({
  backend: arg('backend', 'auto'),
  runs: Number(arg('runs', 5)),
  threads: arg('threads') ? Number(arg('threads')) : undefined,
})
  .then((result) => console.log(JSON.stringify(result, null, 2)))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
