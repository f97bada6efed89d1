import { MeanIoU } from './miou';

describe('MeanIoU', () => {
  it('matches a hand-worked example with ignored pixels and a class absent from both', () => {
    // 4 classes; class 3 appears in neither prediction nor target and must not count.
    const target = [0, 0, 1, 1, 2, 2, 255, 255];
    const pred = [0, 1, 1, 1, 2, 0, 3, 0]; // predictions on ignored pixels do not count
    const m = new MeanIoU(4);
    m.update(pred, target);
    const r = m.compute();
    // class 0: tp 1, target 2, pred 2 (pixels 0 and 5) -> 1 / 3
    // class 1: tp 2, target 2, pred 3 -> 2 / 3
    // class 2: tp 1, target 2, pred 1 -> 1 / 2
    expect(r.iou[0]).toBeCloseTo(1 / 3, 12);
    expect(r.iou[1]).toBeCloseTo(2 / 3, 12);
    expect(r.iou[2]).toBeCloseTo(1 / 2, 12);
    expect(Number.isNaN(r.iou[3])).toBe(true);
    expect(r.miou).toBeCloseTo((1 / 3 + 2 / 3 + 1 / 2) / 3, 12);
    expect(r.pixelAccuracy).toBeCloseTo(4 / 6, 12);
  });

  it('accumulates over updates and resets', () => {
    const m = new MeanIoU(2);
    m.update([0, 1], [0, 1]);
    m.update([1], [0]);
    expect(m.confusionMatrix()).toEqual([[1, 1], [0, 1]]);
    expect(m.compute().miou).toBeCloseTo((1 / 2 + 1 / 2) / 2, 12);
    m.reset();
    expect(Number.isNaN(m.compute().miou)).toBe(true);
  });

  it('rejects labels outside the classes and mismatched sizes', () => {
    const m = new MeanIoU(3);
    expect(() => m.update([0, 1], [0, 7])).toThrow(/target value 7 at pixel 1 is outside \[0, 3\)/);
    expect(() => m.update([0], [0, 1])).toThrow(/prediction has 1 pixels, target 2/);
  });
});
