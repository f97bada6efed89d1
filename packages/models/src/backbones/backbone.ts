import type { tf } from '@ssseg/engine';
import { Module, type ForwardContext } from '../nn/module';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

/** Encoder features a DeepLabV3+ decoder reads: stride 4 (low) and the deepest stage (high). */
export interface BackboneFeatures<T> {
  low: T;
  high: T;
}

export abstract class Backbone extends Module {
  abstract readonly lowChannels: number;
  abstract readonly highChannels: number;
  /** Input size / size of `high` (8, 16 or 32). */
  abstract readonly outputStride: number;
  abstract forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneFeatures<tf.Tensor4D>;
  abstract toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): BackboneFeatures<OnnxValue>;
}

/**
 * Where strides become dilations to reach an output stride (DeepLab's atrous trick): walks the
 * stages' strides, and once the running stride reaches `outputStride`, a stage keeps stride 1 and
 * multiplies the dilation instead. The first block of a dilated stage keeps the previous dilation.
 */
export function dilatedStrides(stageStrides: number[], inputStride: number, outputStride: number): { stride: number; dilation: number; previousDilation: number }[] {
  let current = inputStride;
  let dilation = 1;
  return stageStrides.map((s) => {
    const previousDilation = dilation;
    if (s > 1 && current * s > outputStride) {
      dilation *= s;
      return { stride: 1, dilation, previousDilation };
    }
    current *= s;
    return { stride: s, dilation, previousDilation };
  });
}
