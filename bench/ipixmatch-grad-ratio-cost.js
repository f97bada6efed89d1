#!/usr/bin/env node
// What IPixMatch's gradRatioEvery costs on the steps it measures: one step's KL term at the sizes
// of a stride-2 U-Net step (8 images of 32 x 32, 11 classes, every pixel confident), forward and
// backward, with and without the ratio (two more backward passes over the tape: the term and a
// stand-in cross-entropy). Prints the median of 5 of each. After a build:
//   node bench/ipixmatch-grad-ratio-cost.js
const path = require('path');
const wt = path.resolve(__dirname, '..');
const { tf, initEngine } = require(path.join(wt, 'packages/engine'));
const { gradientNormOnTape } = require(path.join(wt, 'packages/core'));
const { interPixelLoss } = require(path.join(wt, 'packages/losses'));
(async () => {
  await initEngine({ backend: 'native', threads: 1, verbose: false });
  const t = tf.randomNormal([8, 32, 32, 11], 0, 1, 'float32', 1).add(tf.oneHot(tf.randomUniform([8, 32, 32], 0, 11, 'int32', 2), 11).mul(10));
  const s = tf.randomNormal([8, 32, 32, 11], 0, 1, 'float32', 3);
  const run = (measure) => {
    const t0 = Date.now();
    const g = tf.grad((x) => {
      const term = interPixelLoss(t, x, {});
      const ce = x.square().mean();
      if (measure) { gradientNormOnTape(term, [x]); gradientNormOnTape(ce, [x]); }
      return term.add(ce);
    })(s);
    g.dataSync(); g.dispose();
    return Date.now() - t0;
  };
  run(false); run(true);
  const times = { plain: [], measured: [] };
  for (let i = 0; i < 5; i++) { times.plain.push(run(false)); times.measured.push(run(true)); }
  const med = (a) => a.sort((x, y) => x - y)[2];
  console.log(`median of 5, ms: term forward+backward ${med(times.plain)}, with the ratio measured ${med(times.measured)}`);
})();
