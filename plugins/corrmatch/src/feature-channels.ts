import { tf } from '@ssseg/engine';
import { noGradient, type ForwardResult, type SegmentationModel } from '@ssseg/core';

const PROBE_SIDE = 64;

/** The decoder features of a forward pass, which CorrMatch correlates; an error when the model gives none. */
export function decoderFeatures(result: ForwardResult, model: SegmentationModel): tf.Tensor4D {
  if (!result.features) throw new Error(`corrmatch correlates the decoder features (ForwardResult.features); model '${model.type}' gives none`);
  return result.features;
}

/** Channels of the model's decoder features, read from an eval-mode pass on a blank image (nothing of the model changes). */
export function decoderFeatureChannels(model: SegmentationModel): number {
  return noGradient(() => tf.tidy(() => {
    const result = model.forward(tf.zeros([1, PROBE_SIDE, PROBE_SIDE, 3]), { training: false });
    return decoderFeatures(result, model).shape[3];
  }));
}
