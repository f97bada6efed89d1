import { tf } from '../tf';
import { kernelTimeTable, timedKernel } from './kernel-timer';

describe('timedKernel', () => {
  it('counts the calls of the kernel it wraps and returns its result', () => {
    const out = { dataId: {}, shape: [1], dtype: 'float32' } as tf.TensorInfo;
    const config = timedKernel({ kernelName: 'EngineTestKernel', backendName: 'none', kernelFunc: () => out });
    expect(config.kernelFunc({ inputs: {}, backend: {} as tf.KernelBackend, attrs: {} })).toBe(out);
    config.kernelFunc({ inputs: {}, backend: {} as tf.KernelBackend, attrs: {} });
    expect(kernelTimeTable()).toMatch(/\| EngineTestKernel \| 2 \| \d+ \| [\d.]+% \|/);
  });
});
