import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median, recordBenchmark } from './record';

describe('benchmark records', () => {
  it('replaces only its own block and appends new ones', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bench-')), 'BENCHMARKS.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    recordBenchmark(file, 'w1', '| a |\n| 1 |');
    recordBenchmark(file, 'w3', '| b |');
    recordBenchmark(file, 'w1', '| a |\n| 2 |');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe('# Benchmarks\n\nintro\n\n<!-- bench:w1 -->\n| a |\n| 2 |\n<!-- /bench:w1 -->\n\n<!-- bench:w3 -->\n| b |\n<!-- /bench:w3 -->\n');
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
