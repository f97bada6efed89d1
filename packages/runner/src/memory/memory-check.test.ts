import { tf, initEngine } from '@ssseg/engine';
import { PluginHost, parseRunConfig } from '@ssseg/core';
import { fixturesPlugin, stripesLoader } from '@ssseg/core/testing';
import { checkStepMemory, InsufficientMemoryError, SKIP_MEMORY_CHECK } from './memory-check';
import { runnerPlugin } from '../plugin';


function host(): PluginHost {
  const h = new PluginHost();
  h.load(fixturesPlugin);
  h.load(runnerPlugin);
  return h;
}

const config = (batchSize: number) => parseRunConfig({
  method: { type: 'plain-supervised' },
  model: { type: 'tiny' },
  data: { type: 'stripes', train: 8 },
  train: { epochs: 1, batchSize, lr: 0.05, optimizer: { type: 'sgd' } },
  engine: { backend: 'cpu' },
});

describe('the memory check before a run is built', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('estimates from probe steps: linear in the batch, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const small = (await checkStepMemory(host(), config(2), 'test', stripesLoader, { env: {} }))!;
    const large = (await checkStepMemory(host(), config(2000), 'test', stripesLoader, { env: {}, available: Number.MAX_SAFE_INTEGER }))!;
    expect(tf.memory().numTensors).toBe(before);
    expect(small.parts.activations).toBeGreaterThan(0);
    expect(small.crop).toEqual({ height: 8, width: 8 });
    // the per-image part grows with the batch, the model's parts do not
    const perImage = (large.parts.activations - small.parts.activations) / 1998;
    expect(perImage).toBeGreaterThan(0);
    // an 8x8 RGB float image alone is 768 bytes; its activations and gradients are more
    expect(perImage).toBeGreaterThan(768);
    expect(large.parts.model).toBe(small.parts.model);
    expect(large.parts.optimizer).toBe(small.parts.optimizer);
  });

  it('refuses a run that needs more than is available, naming the keys, the estimate and the memory, and the way to skip', async () => {
    const error = await checkStepMemory(host(), config(2000), 'run.yaml', stripesLoader, { env: {}, available: 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientMemoryError);
    const message = (error as Error).message;
    expect(message).toMatch(/^run\.yaml: training needs about [\d.]+ MB \(estimated; 2000 images a step at 8x8/);
    expect(message).toContain('but the machine has 1.0 MB available');
    expect(message).toContain('train.batchSize');
    expect(message).toContain('data.cropSize');
    expect(message).toContain('model.*');
    expect(message).toContain(`${SKIP_MEMORY_CHECK}=1`);
  });

  it('is skipped when SSSEG_SKIP_MEMORY_CHECK=1', async () => {
    await expect(checkStepMemory(host(), config(2000), 'test', stripesLoader, { env: { [SKIP_MEMORY_CHECK]: '1' }, available: 1 })).resolves.toBeUndefined();
  });
});
