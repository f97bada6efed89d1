import { tf } from '../tf';
import { fusedAvailable } from './fused-available';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from './kernel-names';

// a type (not an interface) so that tf.tidy accepts it as a tensor container
export type BatchNormTrainingResult = {
  /** offset + (x - mean) * scale / sqrt(variance + epsilon) */
  y: tf.Tensor;
  /** The batch's per-channel mean and biased variance ([C]), as tf.moments gives them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
};

/**
 * Batch normalisation with the batch's own statistics over every axis but the last (channels):
 * tf.moments then tf.batchNorm, with gradients to x, scale and offset (and through the returned
 * statistics). One fused kernel forward and one backward where the backend has them (native);
 * tfjs's ops elsewhere, same values within float rounding.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const channels = x.shape[x.rank - 1];
  if (x.rank < 2 || scale.shape.join() !== `${channels}` || offset.shape.join() !== `${channels}`) {
    throw new Error(`batchNormTraining: expected x of rank >= 2 and scale, offset of shape [${channels}], got [${x.shape}], [${scale.shape}], [${offset.shape}]`);
  }
  if (!fusedAvailable(BATCH_NORM_TRAIN, [x, scale, offset])) {
    return tf.tidy(() => {
      const axes = x.shape.slice(0, -1).map((_, d) => d);
      const { mean, variance } = tf.moments(x, axes);
      const y = tf.batchNorm(x, mean, variance, offset, scale, epsilon);
      return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
    });
  }
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale, offset }, { epsilon }) as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The fused kernel's gradient: one backward kernel for dx, dScale and dOffset. */
export const batchNormTrainGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [dy, dMean, dVariance] = dys as tf.Tensor[];
    const [x, scale, mean, variance] = saved;
    const [dx, dScale, dOffset] = tf.engine().runKernel(
      BATCH_NORM_TRAIN_GRAD,
      { dy, x, scale, mean, variance, dMean, dVariance },
      attrs,
    ) as tf.Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};
