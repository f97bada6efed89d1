import * as os from 'os';
import { formatLoad, loadAverages, recordRefusal } from './load-check';

describe('the load check before --record', () => {
  it('refuses a 1-minute load above the cores, naming the load, the cores and top; a load at or under them passes', () => {
    expect(recordRefusal(2.0, 'BENCHMARKS.md', 2)).toBeUndefined();
    expect(recordRefusal(0.3, 'BENCHMARKS.md', 2)).toBeUndefined();
    const said = recordRefusal(2.04, '/tmp/BENCHMARKS.md', 2)!;
    expect(said).toMatch(/^not recorded in \/tmp\/BENCHMARKS\.md: the 1-minute load average was 2\.04 at the start, above this machine's 2 cores,/);
    expect(said).toContain('see what runs with `top`');
    expect(recordRefusal(17.3, 'BENCHMARKS.md', 16)).toContain("17.30 at the start, above this machine's 16 cores");
  });

  it("reads the machine's load averages unless the test seam stands in for them", () => {
    const saved = process.env.SSSEG_TEST_LOADAVG;
    try {
      delete process.env.SSSEG_TEST_LOADAVG;
      expect(loadAverages()).toHaveLength(os.loadavg().length);
      process.env.SSSEG_TEST_LOADAVG = ' 5.25 4 3.5 ';
      expect(loadAverages()).toEqual([5.25, 4, 3.5]);
      expect(formatLoad(loadAverages())).toBe('5.3 4.0 3.5');
    } finally {
      if (saved === undefined) delete process.env.SSSEG_TEST_LOADAVG;
      else process.env.SSSEG_TEST_LOADAVG = saved;
    }
  });
});
