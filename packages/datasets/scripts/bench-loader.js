#!/usr/bin/env node
// Times the data pipeline on mnist-seg: `npx tsup` in packages/datasets first, then
//   node packages/datasets/scripts/bench-loader.js [--runs 5] [--prefetch 0]
// Prints one JSON result per run and the median of the per-run medians.
const { initEngine } = require('@ssseg/engine');
const { runLoaderBench } = require('../dist/index.js');

async function main() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  await initEngine({ backend: 'cpu', verbose: false });
  const runs = arg('runs', 5);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const result = await runLoaderBench({ prefetch: arg('prefetch', 0), batches: arg('batches', 50) });
    console.log(JSON.stringify(result));
    results.push(result);
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({
    runs,
    batchMsMedian: med(results.map((x) => x.batchMs.median)),
    generateMsMedian: med(results.map((x) => x.generateMs)),
    cachedOpenMsMedian: med(results.map((x) => x.cachedOpenMs)),
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
