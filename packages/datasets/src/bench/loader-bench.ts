import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '@ssseg/engine';
import { Rng, type TrainBatch, optionsFor } from '@ssseg/core';
import { MnistSegDataset } from '../mnist/mnist-seg';
import { createLoader } from '../loader/loader';

export interface LoaderBenchOptions {
  batchSize?: number;
  unlabelledBatchSize?: number;
  strongViews?: number;
  /** Batches timed (after 3 warm-up batches). */
  batches?: number;
  /** Batches prepared ahead; 0 measures the full cost of producing each batch. */
  prefetch?: number;
  seed?: number;
}

export interface LoaderBenchResult {
  /** Generating the default mnist-seg (2048 + 512 composites) into an empty cache. */
  generateMs: number;
  /** Opening it again from the cache. */
  cachedOpenMs: number;
  /** Time from asking for a batch to holding its tensors: median, min, max over `batches`. */
  batchMs: { median: number; min: number; max: number };
  batches: number;
  batchSize: number;
  unlabelledBatchSize: number;
  strongViews: number;
  prefetch: number;
  backend: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * How long the data pipeline takes to hand out one training batch of mnist-seg (64x64): B labelled,
 * B unlabelled with weak + `strongViews` strong views, default UniMatch augmentations.
 */
export async function runLoaderBench(options: LoaderBenchOptions = {}): Promise<LoaderBenchResult> {
  const o = { batchSize: 8, unlabelledBatchSize: 8, strongViews: 2, batches: 50, prefetch: 0, seed: 1, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bench-cache-'));
  try {
    let t = performance.now();
    new MnistSegDataset(optionsFor(MnistSegDataset, { seed: o.seed, cacheDir }));
    const generateMs = performance.now() - t;
    t = performance.now();
    const dataset = new MnistSegDataset(optionsFor(MnistSegDataset, { seed: o.seed, cacheDir, split: '1_8' }));
    const cachedOpenMs = performance.now() - t;
    const loader = createLoader({
      dataset, batchSize: o.batchSize, unlabelledBatchSize: o.unlabelledBatchSize, strongViews: o.strongViews, rng: Rng.fromSeed(o.seed), prefetch: o.prefetch,
    });
    const times: number[] = [];
    const warmup = 3;
    let epoch = 0;
    while (times.length < o.batches + warmup) {
      const it = loader.epoch(epoch++);
      for (;;) {
        const start = performance.now();
        const next = await it.next();
        if (next.done) break;
        const batch = next.value as TrainBatch;
        disposeBatch(batch);
        times.push(performance.now() - start);
        if (times.length >= o.batches + warmup) {
          await it.return(undefined);
          break;
        }
      }
    }
    const timed = times.slice(warmup);
    return {
      generateMs, cachedOpenMs,
      batchMs: { median: median(timed), min: Math.min(...timed), max: Math.max(...timed) },
      batches: timed.length, batchSize: o.batchSize, unlabelledBatchSize: o.unlabelledBatchSize, strongViews: o.strongViews, prefetch: o.prefetch,
      backend: tf.getBackend(),
    };
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

function disposeBatch(batch: TrainBatch): void {
  const u = batch.unlabelled;
  tf.dispose([batch.labelled.images, batch.labelled.masks, ...(u ? [u.weak, u.ignore, ...u.strong, ...u.cutmixBoxes] : [])]);
}
