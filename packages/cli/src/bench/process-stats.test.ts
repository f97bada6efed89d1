import { countCollections, threadCpu } from './process-stats';

describe('process stats for the bench', () => {
  it('counts the main thread CPU a busy loop spends, apart from the other threads', () => {
    const before = threadCpu()!;
    const t0 = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(t0).user < 300_000) x += Math.sqrt(x + 1);
    const after = threadCpu()!;
    expect(x).toBeGreaterThan(0);
    expect(after.mainS - before.mainS).toBeGreaterThanOrEqual(0.25);
    expect(after.otherS).toBeGreaterThanOrEqual(before.otherS);
  });

  it('counts the collections that garbage sets off, and stops counting when asked', async () => {
    const stop = countCollections();
    let keep: object[] = [];
    for (let i = 0; i < 2_000_000; i++) {
      keep.push({ i });
      if (keep.length > 1000) keep = [];
    }
    const counts = await stop();
    expect(counts.minor).toBeGreaterThan(0);
    expect(counts.pauseMs).toBeGreaterThan(0);
    const frozen = { ...counts };
    for (let i = 0; i < 2_000_000; i++) keep.push({ i }), keep.length > 1000 && (keep = []);
    await new Promise((resolve) => setImmediate(resolve));
    expect(counts).toEqual(frozen);
  });
});
