import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MetricsWriter, writeFileAtomic } from '@ssseg/core';
import { readComparedRun, type ComparedRun } from './compared-run';
import type { ComparisonSummary, RunRow } from './summary';
import { gradRatioTable, lateMedian } from './grad-ratio-table';

const points = (values: number[]) => values.map((value, i) => ({ step: (i + 1) * 10, value }));

function row(variant: string, seed: number, gradRatios: ComparedRun['gradRatios']): RunRow {
  const result = { id: `${variant}/${seed}`, method: 'unimatch', variant, split: '1_16', seed, finalMiou: 0.5, bestMiou: 0.5, perClassIoU: [], steps: 100, wallSeconds: 1, curve: [], gradRatios };
  return { id: result.id, method: 'unimatch', variant, split: '1_16', seed, status: { state: 'done' }, result };
}

describe('gradient-ratio table', () => {
  it('takes the median of the last quarter of the logged steps', () => {
    // steps 10..100: the last quarter is steps 80, 90, 100 (values 8, 100, 9): median 9
    expect(lateMedian(points([50, 50, 50, 50, 50, 50, 50, 8, 100, 9]))).toBe(9);
    expect(lateMedian(points([3]))).toBe(3);
    expect(lateMedian([{ step: 10, value: NaN }])).toBeNaN();
  });

  it('gives one row per method, variant, split and term: the median over seeds of each run\'s late median', () => {
    const summary = {
      runs: [
        row('none', 1, {}),
        row('kl', 1, { ipixmatch: points([9, 9, 9, 1, 2, 3]) }), // late: steps 50, 60 -> 2.5
        row('kl', 2, { ipixmatch: points([9, 9, 9, 4, 5, 6]) }), // 5.5
        row('kl', 3, { ipixmatch: points([9, 9, 9, 7, 8, 9]) }), // 8.5
      ],
    } as unknown as ComparisonSummary;
    expect(gradRatioTable(summary)!.rows).toEqual([['unimatch', 'kl', '1/16', 'ipixmatch', '5.50', '3']]);
    expect(gradRatioTable({ runs: [row('none', 1, {})] } as unknown as ComparisonSummary)).toBeUndefined();
  });

  it('reads each NAME/gradRatio a run logged, on the steps it logged it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-grad-ratio-'));
    const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
    for (let step = 1; step <= 4; step++) {
      writer.write({ event: 'step', step, epoch: 0, time: step, loss: 1, ...(step % 2 === 0 ? { 'ipix/gradRatio': step / 10, 'ipix/gradRatioPerWeight': step } : {}) });
    }
    writeFileAtomic(path.join(dir, 'DONE'), JSON.stringify({ steps: 4, finalMiou: null, bestMiou: null, wallSeconds: 1 }));
    const result = readComparedRun(dir, { id: 'r', method: 'unimatch', variant: 'kl', split: '1_16', seed: 1 });
    expect(result.gradRatios).toEqual({ ipix: [{ step: 2, value: 0.2 }, { step: 4, value: 0.4 }] });
  });
});
