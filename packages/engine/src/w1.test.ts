import { tf } from './tf';
import { describeWithBackends, expectNoLeak } from './testing';
import { runW1, W1Workload } from './w1';

describeWithBackends('W1 training', (backend) => {
  it('lowers the loss over a few Adam steps without leaking', async () => {
    await expectNoLeak(() => {
      const w1 = new W1Workload({ batchSize: 2, imageSize: 32 });
      try {
        const losses = Array.from({ length: 6 }, () => w1.step());
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(losses[5]).toBeLessThan(0.8 * losses[0]);
      } finally {
        w1.dispose();
      }
    });
  });

  it('labels cover several classes (the task is not one constant class)', async () => {
    await expectNoLeak(() => {
      const w1 = new W1Workload({ batchSize: 2, imageSize: 32 });
      const perClass = tf.tidy(() => tf.sum(w1.labels, [0, 1, 2]).dataSync());
      w1.dispose();
      expect(Array.from(perClass).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    });
  });

  it('runW1 reports the median of the timed steps on the requested backend', async () => {
    const result = await expectNoLeak(() => runW1({ backend, steps: 3, warmup: 1, batchSize: 1, imageSize: 16 }));
    expect(result.backend).toBe(backend);
    expect(result.timesMs).toHaveLength(3);
    expect(result.losses).toHaveLength(4);
    expect(result.msPerStep).toBe([...result.timesMs].sort((a, b) => a - b)[1]);
    expect(result.cpuMsPerStep).toBeGreaterThan(0);
    await expect(runW1({ backend, steps: 0 })).rejects.toThrow(/steps must be at least 1, got 0/);
  });
});
