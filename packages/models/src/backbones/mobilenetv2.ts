import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';
import { Layer, type ForwardContext } from '../nn/module';
import { Conv2d } from '../nn/conv';
import { BatchNorm2d } from '../nn/batch-norm';
import { ReLU6 } from '../nn/activation';
import { Sequential } from '../nn/sequential';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';
import { Backbone, dilatedStrides, type BackboneFeatures } from './backbone';

export interface MobileNetV2Options {
  /** Width multiplier (1.0 in the standard net). */
  widthMultiplier: number;
  outputStride: 8 | 16 | 32;
}

/** Inverted-residual settings (expansion t, channels c, repeats n, stride s) of MobileNetV2. */
const SETTINGS: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** Channel counts rounded to multiples of 8, never more than 10 % below the target (torchvision). */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

function convBnReLU6(rng: Rng, inChannels: number, outChannels: number, kernelSize: number, stride = 1, dilation = 1, groups = 1): Sequential {
  return new Sequential(
    new Conv2d({ inChannels, outChannels, kernelSize, stride, dilation, groups }, rng),
    new BatchNorm2d(outChannels),
    new ReLU6(),
  );
}

class InvertedResidual extends Layer {
  private readonly conv: Sequential;
  private readonly residual: boolean;

  constructor(rng: Rng, inChannels: number, outChannels: number, stride: number, expansion: number, dilation: number) {
    super();
    const hidden = Math.round(inChannels * expansion);
    this.residual = stride === 1 && inChannels === outChannels;
    const layers: Layer[] = [];
    if (expansion !== 1) layers.push(convBnReLU6(rng, inChannels, hidden, 1));
    layers.push(
      convBnReLU6(rng, hidden, hidden, 3, stride, dilation, hidden),
      new Conv2d({ inChannels: hidden, outChannels, kernelSize: 1 }, rng),
      new BatchNorm2d(outChannels),
    );
    this.conv = this.registerModule('conv', new Sequential(...layers));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.conv.forward(x, ctx);
      return this.residual ? (y.add(x) as tf.Tensor4D) : y;
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const y = this.conv.toOnnx(graph, x, `${name}.conv`);
    return this.residual ? graph.node('Add', [y.name, x.name], y.shape, {}, `${name}.add`) : y;
  }
}

/**
 * MobileNetV2 encoder (torchvision's names: 'features.<i>...'), without the final 1x1 conv to
 * 1280 channels, as DeepLabV3+ uses it: `low` is the stride-4 output (24 x width channels),
 * `high` the last block's (320 x width), strides past the output stride turned into dilations.
 */
export class MobileNetV2 extends Backbone {
  readonly lowChannels: number;
  readonly highChannels: number;
  readonly outputStride: number;
  private readonly features: Sequential;
  /** Index of the last block at stride 4. */
  private readonly lowIndex: number;

  constructor(readonly options: MobileNetV2Options, rng: Rng) {
    super();
    const w = options.widthMultiplier;
    if (!(w > 0)) throw new Error(`MobileNetV2: widthMultiplier must be > 0, got ${w}`);
    this.outputStride = options.outputStride;
    let inChannels = makeDivisible(32 * w);
    const layers: Layer[] = [convBnReLU6(rng, 3, inChannels, 3, 2)];
    const strides = dilatedStrides(SETTINGS.map(([, , , s]) => s), 2, options.outputStride);
    let lowIndex = 0, lowChannels = 0, stride = 2;
    SETTINGS.forEach(([t, c, n], g) => {
      const outChannels = makeDivisible(c * w);
      const plan = strides[g];
      for (let i = 0; i < n; i++) {
        layers.push(new InvertedResidual(rng, inChannels, outChannels, i === 0 ? plan.stride : 1, t, i === 0 ? plan.previousDilation : plan.dilation));
        inChannels = outChannels;
      }
      stride *= plan.stride;
      if (stride === 4) {
        lowIndex = layers.length - 1;
        lowChannels = outChannels;
      }
    });
    this.features = this.registerModule('features', new Sequential(...layers));
    this.lowIndex = lowIndex;
    this.lowChannels = lowChannels;
    this.highChannels = inChannels;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneFeatures<tf.Tensor4D> {
    return tf.tidy(() => {
      const layers = this.features.layers;
      let h = x;
      let low = x;
      layers.forEach((layer, i) => {
        h = layer.forward(h, ctx);
        if (i === this.lowIndex) low = h;
      });
      return { low, high: h };
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): BackboneFeatures<OnnxValue> {
    const p = name ? `${name}.` : '';
    let h = x;
    let low = x;
    this.features.layers.forEach((layer, i) => {
      h = layer.toOnnx(graph, h, `${p}features.${i}`);
      if (i === this.lowIndex) low = h;
    });
    return { low, high: h };
  }
}
