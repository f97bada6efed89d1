import { tf, describeWithBackends } from '@ssseg/engine';
import { Rng, type TrainBatch } from '@ssseg/core';
import { createLoader, type LoaderOptions } from './loader';
import { validationBatches } from './validation';
import { IMAGENET_NORMALISATION } from './normalise';
import { AugmentationPipeline } from '../augment/pipeline';
import { MemoryDataset, MemorySource } from '../testing/memory-dataset';

/** Every tensor of a batch as plain arrays, then disposed. */
function read(batch: TrainBatch): Record<string, number[]> {
  const all: Record<string, tf.Tensor> = { images: batch.labelled.images, masks: batch.labelled.masks };
  if (batch.unlabelled) {
    all.weak = batch.unlabelled.weak;
    all.ignore = batch.unlabelled.ignore;
    batch.unlabelled.strong.forEach((t, k) => (all[`strong${k}`] = t));
    batch.unlabelled.cutmixBoxes.forEach((t, k) => (all[`box${k}`] = t));
  }
  const out = Object.fromEntries(Object.entries(all).map(([k, t]) => [k, Array.from(t.dataSync())]));
  tf.dispose(Object.values(all));
  return out;
}

async function epochArrays(options: LoaderOptions, epoch: number, take = Infinity, loader = createLoader(options)) {
  const out: Record<string, number[]>[] = [];
  for await (const batch of loader.epoch(epoch)) {
    out.push(read(batch));
    if (out.length >= take) break;
  }
  return out;
}

const semi = (seed = 1, extra: Partial<LoaderOptions> = {}): LoaderOptions => ({
  dataset: new MemoryDataset({ labelled: 3, unlabelled: 20 }),
  batchSize: 2,
  unlabelledBatchSize: 4,
  strongViews: 2,
  rng: Rng.fromSeed(seed),
  ...extra,
});

describeWithBackends('data loader', () => {
  it('a semi-supervised epoch passes over the unlabelled set once, with labelled images repeated evenly', async () => {
    const options = semi();
    const ds = options.dataset as MemoryDataset;
    const loader = createLoader(options);
    expect([loader.stepsPerEpoch, loader.imagesPerStep]).toEqual([5, 6]);
    const before = tf.memory().numTensors;
    const seen: number[][] = [];
    for await (const batch of loader.epoch(0)) {
      expect(batch.labelled.images.shape).toEqual([2, 8, 8, 3]);
      expect(batch.labelled.masks.dtype).toBe('int32');
      expect(batch.unlabelled!.weak.shape).toEqual([4, 8, 8, 3]);
      expect(batch.unlabelled!.strong).toHaveLength(2);
      expect(batch.unlabelled!.cutmixBoxes.map((b) => [b.dtype, ...b.shape])).toEqual([['float32', 4, 8, 8], ['float32', 4, 8, 8]]);
      expect(batch.unlabelled!.ignore.shape).toEqual([4, 8, 8]);
      seen.push(Array.from(await batch.labelled.masks.data()).filter((_, i) => i % 64 === 0));
      read(batch);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toHaveLength(5);
    const unlabelledSeen = ds.sources.unlabelled.requested.slice().sort((a, b) => a - b);
    expect(unlabelledSeen).toEqual([...Array(20).keys()]);
    const labelledCounts = [0, 0, 0];
    for (const i of ds.sources.labelled.requested) labelledCounts[i]++;
    expect(labelledCounts.reduce((a, b) => a + b)).toBe(10);
    for (const c of labelledCounts) expect([3, 4]).toContain(c);
  });

  it('normalises with ImageNet statistics and keeps masks as class indices', async () => {
    const identity = new AugmentationPipeline([]);
    const options: LoaderOptions = { dataset: new MemoryDataset({ labelled: 2, unlabelled: 4 }), batchSize: 1, rng: Rng.fromSeed(1), weak: identity };
    const loader = createLoader(options);
    expect(loader.stepsPerEpoch).toBe(2);
    const [first] = await epochArrays(options, 0, 1, loader);
    const source = new MemorySource(2, 'l', [8, 8], true);
    const index = first.masks[0]; // mask = index mod 4, and there are 2 samples
    const sample = await source.get(index);
    const expected = Array.from(sample.image, (v, k) => (v - IMAGENET_NORMALISATION.mean[k % 3]) / IMAGENET_NORMALISATION.std[k % 3]);
    first.images.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 5));
    expect(new Set(first.masks)).toEqual(new Set([index]));
  });

  it('the same seed gives the same batches; another seed or epoch gives others', async () => {
    const a = await epochArrays(semi(7), 0);
    const b = await epochArrays(semi(7), 0);
    expect(b).toEqual(a);
    const c = await epochArrays(semi(8), 0);
    expect(c.map((x) => x.weak)).not.toEqual(a.map((x) => x.weak));
    const d = await epochArrays(semi(7), 1);
    expect(d.map((x) => x.weak)).not.toEqual(a.map((x) => x.weak));
    // strong views differ from each other and from the weak view
    expect(a[0].strong0).not.toEqual(a[0].strong1);
    expect(a[0].strong0).not.toEqual(a[0].weak);
  });

  it('state() and restore() resume mid-epoch on the same batches', async () => {
    const straight = await epochArrays(semi(3), 0);
    const first = createLoader(semi(3));
    const head = await epochArrays(semi(3), 0, 2, first);
    const saved = JSON.parse(JSON.stringify(first.state()));
    expect(saved).toMatchObject({ epoch: 0, step: 2 });
    const resumed = createLoader(semi(99)); // a different run rng: the saved stream wins
    resumed.restore(saved);
    const tail = await epochArrays(semi(3), 0, Infinity, resumed);
    expect([...head, ...tail]).toEqual(straight);
    expect(resumed.state()).toMatchObject({ epoch: 1, step: 0 });
    expect(() => resumed.restore({ epoch: 0, step: 99, seed: saved.seed })).toThrow(/invalid data loader state/);
  });

  it('a supervised loader runs one pass over the labelled set, without unlabelled batches', async () => {
    const options: LoaderOptions = { dataset: new MemoryDataset({ labelled: 9, unlabelled: 4 }), batchSize: 4, rng: Rng.fromSeed(1) };
    const loader = createLoader(options);
    expect([loader.stepsPerEpoch, loader.imagesPerStep]).toEqual([2, 4]);
    const batches = await epochArrays(options, 0, Infinity, loader);
    expect(batches).toHaveLength(2);
    expect(batches[0].weak).toBeUndefined();
  });

  it('reads ahead while a batch is being used, and leaves nothing behind when abandoned', async () => {
    const ds = new MemoryDataset({ labelled: 4, unlabelled: 32, delayMs: 5 });
    const loader = createLoader({ ...semi(1), dataset: ds, prefetch: 3 });
    const before = tf.memory().numTensors;
    const it = loader.epoch(0);
    const first = await it.next();
    await new Promise((r) => setTimeout(r, 30));
    // batch 0 handed out; batches 1..3 already requested (4 unlabelled each)
    expect(ds.sources.unlabelled.requested.length).toBe(16);
    read(first.value as TrainBatch);
    await it.return(undefined);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses impossible setups with a clear message', () => {
    expect(() => createLoader({ ...semi(), unlabelledBatchSize: 64 })).toThrow(/has 20 unlabelled images, fewer than one batch of 64/);
    expect(() => createLoader({ ...semi(), batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it('validation batches group same-size full images, in order, without leaks', async () => {
    const before = tf.memory().numTensors;
    const source = new MemorySource(5, 'v', [6, 10], true);
    const sizes: number[][] = [];
    const ids: string[] = [];
    for await (const b of validationBatches(source, { batchSize: 2 })) {
      sizes.push(b.images.shape);
      ids.push(...b.samples.map((s) => s.id));
      expect(Array.from(await b.masks.data())).toEqual(b.samples.flatMap((s) => Array.from(s.mask!)));
      tf.dispose([b.images, b.masks]);
    }
    expect(sizes).toEqual([[2, 6, 10, 3], [2, 6, 10, 3], [1, 6, 10, 3]]);
    expect(ids).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(tf.memory().numTensors).toBe(before);
  });
});
