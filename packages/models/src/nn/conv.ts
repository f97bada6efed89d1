import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';
import { Layer, type ForwardContext } from './module';
import { kaimingNormal } from './init';
import { convWeightToOnnx, type OnnxGraph, type OnnxValue } from '../onnx/graph';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Zero padding on every side; default keeps the size at stride 1: dilation * (k - 1) / 2. */
  padding?: number;
  dilation?: number;
  /** 1, or inChannels for a depthwise convolution. */
  groups?: number;
  bias?: boolean;
}

/**
 * 2-D convolution with torch's symmetric padding (tf's 'same' pads asymmetrically at stride 2,
 * which would shift features against pretrained weights and ONNX). Weight layout is tf's:
 * [k, k, in, out], or [k, k, in, multiplier] for depthwise.
 */
export class Conv2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly options: Required<Conv2dOptions>;

  constructor(options: Conv2dOptions, rng: Rng) {
    super();
    const dilation = options.dilation ?? 1;
    const groups = options.groups ?? 1;
    this.options = {
      inChannels: options.inChannels,
      outChannels: options.outChannels,
      kernelSize: options.kernelSize,
      stride: options.stride ?? 1,
      padding: options.padding ?? (dilation * (options.kernelSize - 1)) >> 1,
      dilation,
      groups,
      bias: options.bias ?? false,
    };
    const { inChannels: inC, outChannels: outC, kernelSize: k } = this.options;
    if (groups !== 1 && !(groups === inC && outC % inC === 0)) {
      throw new Error(`Conv2d: groups must be 1 or inChannels (depthwise), got ${groups} for ${inC} -> ${outC} channels`);
    }
    const shape = this.depthwise ? [k, k, inC, outC / inC] : [k, k, inC, outC];
    this.weight = this.registerParameter('weight', kaimingNormal(rng, shape, outC * k * k));
    if (this.options.bias) this.bias = this.registerParameter('bias', tf.zeros([outC]));
  }

  get depthwise(): boolean {
    return this.options.groups > 1;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const { stride, padding, dilation } = this.options;
    return tf.tidy(() => {
      const y = this.depthwise
        ? tf.depthwiseConv2d(x, this.weight as tf.Tensor4D, stride, padding, 'NHWC', dilation)
        : tf.conv2d(x, this.weight as tf.Tensor4D, stride, padding, 'NHWC', dilation);
      return (this.bias ? y.add(this.bias) : y) as tf.Tensor4D;
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const { inChannels: inC, outChannels: outC, kernelSize: k, stride, padding, dilation, groups } = this.options;
    const tfShape = this.depthwise ? [k, k, 1, outC] : [k, k, inC, outC];
    const w = graph.floatInitializer(`${name}.weight`, convWeightToOnnx(this.weight.dataSync() as Float32Array, tfShape), [outC, inC / groups, k, k]);
    const inputs = [x.name, w.name];
    if (this.bias) inputs.push(graph.floatInitializer(`${name}.bias`, this.bias.dataSync() as Float32Array, [outC]).name);
    const [n, , h, wd] = x.shape;
    const span = dilation * (k - 1) + 1;
    const outShape = [n, outC, Math.floor((h + 2 * padding - span) / stride) + 1, Math.floor((wd + 2 * padding - span) / stride) + 1];
    return graph.node('Conv', inputs, outShape, {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [padding, padding, padding, padding],
      dilations: [dilation, dilation],
      group: groups,
    }, name);
  }
}

export type { ForwardContext };
