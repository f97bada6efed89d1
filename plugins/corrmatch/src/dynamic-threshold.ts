import { tf } from '@ssseg/engine';

const { fround } = Math;

/**
 * CorrMatch's global confidence threshold, moved after every step towards the mean over the
 * classes the teacher predicts of each class's highest confidence:
 * `t <- m t + (1 - m) mean_c max{conf_p : label_p = c, p not ignored}`, from `initial`.
 * Kept in float32 as the official code keeps it, so a checkpoint restores it exactly.
 */
export class DynamicThreshold {
  private current: number;

  constructor(initial: number, private readonly momentum: number) {
    this.current = fround(initial);
  }

  get value(): number {
    return this.current;
  }

  /**
   * One update from a prediction's hard labels and confidences ([B*H*W] each) and its ignore map
   * (1 = ignored). Classes with no non-ignored pixel do not count; with none at all, no update.
   */
  update(labels: ArrayLike<number>, confidence: ArrayLike<number>, ignore: ArrayLike<number>, numClasses: number): void {
    const highest = new Float32Array(numClasses).fill(-1);
    for (let p = 0; p < labels.length; p++) {
      if (ignore[p] !== 0) continue;
      const c = labels[p];
      if (confidence[p] > highest[c]) highest[c] = confidence[p];
    }
    let sum = 0, present = 0;
    for (const h of highest) {
      if (h < 0) continue;
      sum = fround(sum + h);
      present++;
    }
    if (!present) return;
    const mean = fround(sum / present);
    this.current = fround(fround(fround(this.momentum) * this.current) + fround(fround(1 - this.momentum) * mean));
  }

  /** The value as a float32 scalar, for a checkpoint. */
  state(): tf.Scalar {
    return tf.scalar(this.current, 'float32');
  }

  load(saved: tf.Tensor): void {
    if (saved.size !== 1) throw new Error(`the saved CorrMatch threshold must be one number, got shape [${saved.shape}]`);
    this.current = fround(saved.dataSync()[0]);
  }
}
