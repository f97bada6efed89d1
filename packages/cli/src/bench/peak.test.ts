import { tf } from '@ssseg/engine';
import { runPeak } from './peak';

describe('the peak convolution', () => {
  it('counts its FLOPs from the conv call, times the median of the repeats and gives GFLOP/s; no leak', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const r = await runPeak({ steps: 3, warmup: 1, conv: { batch: 1, size: 8, inChannels: 4, outChannels: 5, kernel: 3 } });
    expect(tf.memory().numTensors).toBe(before);
    // 2 * B * H * W * Cin * Cout * 9 = 2 * 1 * 8 * 8 * 4 * 5 * 9
    expect(r.flops).toBe(23_040);
    expect(r.timesMs).toHaveLength(3);
    expect(r.msPerStep).toBe([...r.timesMs].sort((a, b) => a - b)[1]);
    expect(r.gflops).toBeCloseTo(23_040 / r.msPerStep / 1e6, 12);
    expect(r.backend).toBe('cpu');
  });

  it('counts the conv even without warm-up, and refuses no timed repeats', async () => {
    await tf.setBackend('cpu');
    const r = await runPeak({ steps: 1, warmup: 0, conv: { batch: 2, size: 4, inChannels: 3, outChannels: 2, kernel: 1 } });
    // 2 * 2 * 4 * 4 * 3 * 2 * 1
    expect(r.flops).toBe(384);
    await expect(runPeak({ steps: 0 })).rejects.toThrow('runPeak: steps must be at least 1, got 0');
  });
});
