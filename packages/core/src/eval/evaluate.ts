import { tf } from '@ssseg/engine';
import { MeanIoU } from '../metrics/miou';
import type { Sample, SampleSource, SegmentationModel } from '../tokens';
import { predictLogits, type InferenceOptions } from './predict';

export interface EvaluationOptions extends InferenceOptions {
  numClasses: number;
  /** Turns a sample's image into the model's input [1, H, W, 3] (normalisation). */
  toInput(sample: Sample): tf.Tensor4D;
  /** Evaluate only the first n samples (quick checks). */
  limit?: number;
  /** Sees each image's predicted classes (row-major H x W), e.g. to record a prediction gallery. */
  onPrediction?(index: number, sample: Sample, predicted: Int32Array): void;
}

export interface EvaluationResult {
  miou: number;
  iou: number[];
  pixelAccuracy: number;
  images: number;
}

/** mIoU of a model on labelled samples, one image at a time at full resolution. */
export async function evaluate(model: SegmentationModel, source: SampleSource, options: EvaluationOptions): Promise<EvaluationResult> {
  const metric = new MeanIoU(options.numClasses);
  const n = Math.min(source.length, options.limit ?? Infinity);
  for (let i = 0; i < n; i++) {
    const sample = await source.get(i);
    if (!sample.mask) throw new Error(`evaluate: sample ${sample.id} has no mask`);
    const prediction = tf.tidy(() => {
      const input = options.toInput(sample);
      return predictLogits(model, input, options).argMax(-1);
    });
    const predicted = (await prediction.data()) as Int32Array;
    prediction.dispose();
    metric.update(predicted, sample.mask);
    options.onPrediction?.(i, sample, predicted);
  }
  const { miou, iou, pixelAccuracy } = metric.compute();
  return { miou, iou, pixelAccuracy, images: n };
}
