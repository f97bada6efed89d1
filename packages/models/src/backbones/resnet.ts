import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';
import { Layer, type ForwardContext } from '../nn/module';
import { Conv2d } from '../nn/conv';
import { BatchNorm2d } from '../nn/batch-norm';
import { ReLU } from '../nn/activation';
import { Sequential } from '../nn/sequential';
import { MaxPool2d } from '../nn/pool';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';
import { Backbone, dilatedStrides, type BackboneFeatures } from './backbone';

export type ResNetDepth = 18 | 34 | 50 | 101;
/** 'deep': UniMatch's three 3x3 convs (3 -> 64 -> 64 -> 128); 'torchvision': one 7x7 conv (3 -> 64). */
export type ResNetStem = 'deep' | 'torchvision';

export interface ResNetOptions {
  depth: ResNetDepth;
  outputStride: 8 | 16 | 32;
  stem: ResNetStem;
  /** Channels of the first stage (64 in the standard nets; small values for tests). */
  baseWidth?: number;
  /** DeepLabv3's multi-grid (1, 2, 4 -> UniMatch uses 2, 2, 4) on the last stage's dilations. */
  multiGrid?: boolean;
}

export const RESNET_LAYOUT: Record<ResNetDepth, { blocks: number[]; bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
  101: { blocks: [3, 4, 23, 3], bottleneck: true },
};

function conv(rng: Rng, inChannels: number, outChannels: number, kernelSize: number, stride = 1, dilation = 1): Conv2d {
  return new Conv2d({ inChannels, outChannels, kernelSize, stride, dilation }, rng);
}

interface BlockSpec {
  inplanes: number;
  planes: number;
  stride: number;
  dilation: number;
  downsample?: Sequential;
}

/** Residual block: out = relu(body(x) + shortcut(x)). */
abstract class ResidualBlock extends Layer {
  protected readonly relu = new ReLU();
  protected downsample?: Sequential;

  protected abstract body(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
  protected abstract bodyOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue;

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const identity = this.downsample ? this.downsample.forward(x, ctx) : x;
      return tf.relu(this.body(x, ctx).add(identity)) as tf.Tensor4D;
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const out = this.bodyOnnx(graph, x, name);
    const identity = this.downsample ? this.downsample.toOnnx(graph, x, `${name}.downsample`) : x;
    const sum = graph.node('Add', [out.name, identity.name], out.shape, {}, `${name}.add`);
    return this.relu.toOnnx(graph, sum, `${name}.relu`);
  }
}

class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;

  constructor(spec: BlockSpec, rng: Rng) {
    super();
    this.conv1 = this.registerModule('conv1', conv(rng, spec.inplanes, spec.planes, 3, spec.stride, spec.dilation));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(spec.planes));
    this.conv2 = this.registerModule('conv2', conv(rng, spec.planes, spec.planes, 3, 1, spec.dilation));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(spec.planes));
    if (spec.downsample) this.downsample = this.registerModule('downsample', spec.downsample);
  }

  protected body(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const h = tf.relu(this.bn1.forward(this.conv1.forward(x), ctx)) as tf.Tensor4D;
    return this.bn2.forward(this.conv2.forward(h), ctx);
  }

  protected bodyOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    let h = this.bn1.toOnnx(graph, this.conv1.toOnnx(graph, x, `${name}.conv1`), `${name}.bn1`);
    h = this.relu.toOnnx(graph, h, `${name}.relu1`);
    return this.bn2.toOnnx(graph, this.conv2.toOnnx(graph, h, `${name}.conv2`), `${name}.bn2`);
  }
}

class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm2d;

  constructor(spec: BlockSpec, rng: Rng) {
    super();
    const { inplanes, planes } = spec;
    this.conv1 = this.registerModule('conv1', conv(rng, inplanes, planes, 1));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv(rng, planes, planes, 3, spec.stride, spec.dilation));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', conv(rng, planes, planes * 4, 1));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(planes * 4));
    if (spec.downsample) this.downsample = this.registerModule('downsample', spec.downsample);
  }

  protected body(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let h = tf.relu(this.bn1.forward(this.conv1.forward(x), ctx)) as tf.Tensor4D;
    h = tf.relu(this.bn2.forward(this.conv2.forward(h), ctx)) as tf.Tensor4D;
    return this.bn3.forward(this.conv3.forward(h), ctx);
  }

  protected bodyOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    let h = this.bn1.toOnnx(graph, this.conv1.toOnnx(graph, x, `${name}.conv1`), `${name}.bn1`);
    h = this.relu.toOnnx(graph, h, `${name}.relu1`);
    h = this.bn2.toOnnx(graph, this.conv2.toOnnx(graph, h, `${name}.conv2`), `${name}.bn2`);
    h = this.relu.toOnnx(graph, h, `${name}.relu2`);
    return this.bn3.toOnnx(graph, this.conv3.toOnnx(graph, h, `${name}.conv3`), `${name}.bn3`);
  }
}

/**
 * ResNet encoder in UniMatch's layout (deep stem, dilated last stages for output stride 8 or 16)
 * or torchvision's (7x7 stem), with torchvision's weight names ('layer1.0.conv1.weight', ...).
 * Returns layer1 (stride 4) as `low` and layer4 as `high`.
 */
export class ResNet extends Backbone {
  readonly lowChannels: number;
  readonly highChannels: number;
  readonly outputStride: number;
  private readonly stem: Sequential;
  private readonly stages: Sequential[] = [];

  constructor(readonly options: ResNetOptions, rng: Rng) {
    super();
    const layout = RESNET_LAYOUT[options.depth];
    if (!layout) throw new Error(`ResNet: depth must be 18, 34, 50 or 101, got ${options.depth}`);
    const base = options.baseWidth ?? 64;
    const expansion = layout.bottleneck ? 4 : 1;
    this.outputStride = options.outputStride;
    let inplanes: number;
    const stemLayers: Layer[] = [];
    if (options.stem === 'deep') {
      const conv1 = this.registerModule('conv1', new Sequential(
        conv(rng, 3, base, 3, 2), new BatchNorm2d(base), new ReLU(),
        conv(rng, base, base, 3), new BatchNorm2d(base), new ReLU(),
        conv(rng, base, base * 2, 3),
      ));
      inplanes = base * 2;
      stemLayers.push(conv1);
    } else {
      stemLayers.push(this.registerModule('conv1', new Conv2d({ inChannels: 3, outChannels: base, kernelSize: 7, stride: 2, padding: 3 }, rng)));
      inplanes = base;
    }
    stemLayers.push(this.registerModule('bn1', new BatchNorm2d(inplanes)), new ReLU(), new MaxPool2d(3, 2, 1));
    this.stem = new Sequential(...stemLayers);

    const strides = dilatedStrides([1, 2, 2, 2], 4, options.outputStride);
    layout.blocks.forEach((count, i) => {
      const planes = base * 2 ** i;
      const { stride, dilation, previousDilation } = strides[i];
      const grids = options.multiGrid && i === 3 ? [2, 2, 4] : new Array(count).fill(1);
      const blocks: Layer[] = [];
      for (let b = 0; b < count; b++) {
        const spec: BlockSpec = {
          inplanes: b === 0 ? inplanes : planes * expansion,
          planes,
          stride: b === 0 ? stride : 1,
          dilation: (b === 0 ? previousDilation : dilation) * (grids[b] ?? 1),
        };
        if (b === 0 && (stride !== 1 || inplanes !== planes * expansion)) {
          spec.downsample = new Sequential(conv(rng, inplanes, planes * expansion, 1, stride), new BatchNorm2d(planes * expansion));
        }
        blocks.push(layout.bottleneck ? new Bottleneck(spec, rng) : new BasicBlock(spec, rng));
      }
      inplanes = planes * expansion;
      this.stages.push(this.registerModule(`layer${i + 1}`, new Sequential(...blocks)));
    });
    this.lowChannels = base * expansion;
    this.highChannels = base * 8 * expansion;
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneFeatures<tf.Tensor4D> {
    return tf.tidy(() => {
      const c1 = this.stages[0].forward(this.stem.forward(x, ctx), ctx);
      const c4 = this.stages.slice(1).reduce((h, stage) => stage.forward(h, ctx), c1);
      return { low: c1, high: c4 };
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): BackboneFeatures<OnnxValue> {
    const p = name ? `${name}.` : '';
    let h = this.stemOnnx(graph, x, p);
    const low = this.stages[0].toOnnx(graph, h, `${p}layer1`);
    h = low;
    for (let i = 1; i < 4; i++) h = this.stages[i].toOnnx(graph, h, `${p}layer${i + 1}`);
    return { low, high: h };
  }

  private stemOnnx(graph: OnnxGraph, x: OnnxValue, p: string): OnnxValue {
    // The stem Sequential is not a registered child (its parts are, by torch's names), so name them here.
    const [conv1, bn1, relu, pool] = this.stem.layers;
    let h = conv1.toOnnx(graph, x, `${p}conv1`);
    h = bn1.toOnnx(graph, h, `${p}bn1`);
    h = relu.toOnnx(graph, h, `${p}relu`);
    return pool.toOnnx(graph, h, `${p}maxpool`);
  }
}
