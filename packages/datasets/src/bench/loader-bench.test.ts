import { initEngine, tf } from '@ssseg/engine';
import { runLoaderBench } from './loader-bench';

describe('runLoaderBench', () => {
  it('returns timings of the batch pipeline without leaking tensors', async () => {
    await initEngine({ backend: 'cpu', verbose: false });
    const before = tf.memory().numTensors;
    const r = await runLoaderBench({ batches: 3 });
    expect(r).toMatchObject({ batches: 3, batchSize: 8, unlabelledBatchSize: 8, strongViews: 2, backend: 'cpu' });
    expect(r.batchMs.median).toBeGreaterThan(0);
    expect(r.generateMs).toBeGreaterThan(r.cachedOpenMs);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the defaults of options given as undefined (a flag left out)', async () => {
    await initEngine({ backend: 'cpu', verbose: false });
    const before = tf.memory().numTensors;
    const r = await runLoaderBench({ batches: 2, batchSize: undefined, strongViews: undefined });
    expect(r).toMatchObject({ batches: 2, batchSize: 8, strongViews: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
