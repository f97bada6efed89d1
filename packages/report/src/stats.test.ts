import { mean, meanDefined, pairedDifferences, sampleStd, summarize } from './stats';
import { formatDuration, formatMeanStd, orderSplits, splitFraction, splitLabel } from './format';

describe('seed statistics', () => {
  it('mean and sample standard deviation match hand-worked values', () => {
    // mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / (4 - 1) = 5/3
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    // 0.61, 0.63, 0.65: mean 0.63; deviations 0.02, 0, 0.02 -> 0.0008 / 2 = 0.0004 -> 0.02
    expect(summarize([0.61, 0.63, 0.65])).toEqual({ mean: expect.closeTo(0.63, 12), std: expect.closeTo(0.02, 12), n: 3 });
  });

  it('has no spread for one seed and no value for none', () => {
    expect(summarize([0.7])).toEqual({ mean: 0.7, std: NaN, n: 1 });
    expect(summarize([])).toEqual({ mean: NaN, std: NaN, n: 0 });
    expect(meanDefined([0.5, NaN, 0.7])).toBeCloseTo(0.6, 12);
  });

  it('pairs differences by seed, over the seeds both sides have', () => {
    const treated = new Map([[3, 0.58], [1, 0.60], [2, 0.62], [4, 0.9]]);
    const baseline = new Map([[1, 0.55], [2, 0.60], [3, 0.59], [5, 0.1]]);
    const diffs = pairedDifferences(treated, baseline);
    expect(diffs.map((d) => d.seed)).toEqual([1, 2, 3]);
    expect(diffs.map((d) => d.difference)).toEqual([expect.closeTo(0.05, 12), expect.closeTo(0.02, 12), expect.closeTo(-0.01, 12)]);
    // differences 0.05, 0.02, -0.01: mean 0.02; deviations 0.03, 0, -0.03 -> 0.0018 / 2 = 0.0009 -> 0.03
    const s = summarize(diffs.map((d) => d.difference));
    expect(s.mean).toBeCloseTo(0.02, 12);
    expect(s.std).toBeCloseTo(0.03, 12);
    // the unpaired difference of means would be different: (0.60+0.62+0.58+0.9)/4 - (0.55+0.60+0.59+0.1)/4
    expect(mean([...treated.values()]) - mean([...baseline.values()])).not.toBeCloseTo(0.02, 3);
  });
});

describe('report formatting', () => {
  it('prints mIoU in percent with the spread and n', () => {
    expect(formatMeanStd({ mean: 0.61234, std: 0.01016, n: 3 })).toBe('61.23 ± 1.02 (n=3)');
    expect(formatMeanStd({ mean: 0.0052, std: 0.008, n: 2 }, { signed: true })).toBe('+0.52 ± 0.80 (n=2)');
    expect(formatMeanStd({ mean: -0.0052, std: NaN, n: 1 }, { signed: true })).toBe('-0.52 (n=1)');
    expect(formatMeanStd({ mean: NaN, std: NaN, n: 0 })).toBe('—');
  });

  it('reads labelled fractions from split names and orders them', () => {
    expect(splitFraction('1_64')).toBeCloseTo(1 / 64, 15);
    expect(splitFraction('0.25')).toBe(0.25);
    expect(splitFraction('1464')).toBeUndefined();
    expect(splitLabel('1_8')).toBe('1/8');
    expect(orderSplits(['1_8', '1_64', '1_16'])).toEqual(['1_64', '1_16', '1_8']);
    expect(orderSplits(['1464', '92', '366'])).toEqual(['92', '366', '1464']);
    expect(orderSplits(['full', '1_8'])).toEqual(['full', '1_8']);
  });

  it('prints durations', () => {
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(3 * 3600 + 7 * 60 + 20)).toBe('3 h 07 min');
  });
});
