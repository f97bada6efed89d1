/** Label value of pixels that carry no supervision (scored by no metric, learnt by no loss). */
export const IGNORE_INDEX = 255;

/**
 * Mean intersection-over-union from a confusion matrix accumulated over a dataset.
 * Pixels whose target is the ignore index are skipped. A class that appears in neither the
 * predictions nor the targets has no IoU (NaN in `iou`) and does not count in the mean.
 */
export class MeanIoU {
  private confusion: Float64Array;

  constructor(readonly numClasses: number, readonly ignoreIndex = IGNORE_INDEX) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`MeanIoU needs numClasses >= 1, got ${numClasses}`);
    this.confusion = new Float64Array(numClasses * numClasses);
  }

  reset(): void {
    this.confusion.fill(0);
  }

  /** Adds pixels: row = target class, column = predicted class. */
  update(prediction: ArrayLike<number>, target: ArrayLike<number>): void {
    if (prediction.length !== target.length) {
      throw new Error(`MeanIoU.update: prediction has ${prediction.length} pixels, target ${target.length}`);
    }
    const c = this.numClasses;
    for (let i = 0; i < target.length; i++) {
      const t = target[i];
      if (t === this.ignoreIndex) continue;
      const p = prediction[i];
      if (t < 0 || t >= c || !Number.isInteger(t)) throw new Error(`MeanIoU.update: target value ${t} at pixel ${i} is outside [0, ${c}) and not ${this.ignoreIndex}`);
      if (p < 0 || p >= c || !Number.isInteger(p)) throw new Error(`MeanIoU.update: predicted value ${p} at pixel ${i} is outside [0, ${c})`);
      this.confusion[t * c + p] += 1;
    }
  }

  /** Adds another confusion matrix (for merging partial evaluations). */
  merge(other: MeanIoU): void {
    if (other.numClasses !== this.numClasses) throw new Error('MeanIoU.merge: class counts differ');
    for (let i = 0; i < this.confusion.length; i++) this.confusion[i] += other.confusion[i];
  }

  confusionMatrix(): number[][] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, r) => Array.from(this.confusion.subarray(r * c, (r + 1) * c)));
  }

  compute(): { miou: number; iou: number[]; pixelAccuracy: number } {
    const c = this.numClasses;
    const iou: number[] = [];
    let sum = 0, present = 0, correct = 0, total = 0;
    for (let k = 0; k < c; k++) {
      let rowSum = 0, colSum = 0;
      for (let j = 0; j < c; j++) {
        rowSum += this.confusion[k * c + j];
        colSum += this.confusion[j * c + k];
      }
      const tp = this.confusion[k * c + k];
      const union = rowSum + colSum - tp;
      correct += tp;
      total += rowSum;
      if (union === 0) {
        iou.push(NaN);
      } else {
        iou.push(tp / union);
        sum += tp / union;
        present++;
      }
    }
    return { miou: present ? sum / present : NaN, iou, pixelAccuracy: total ? correct / total : NaN };
  }
}
