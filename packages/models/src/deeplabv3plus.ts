import { inject, injectable, optional } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { BuildSubComponent, ComponentConfig, ComponentOptions, type ForwardOptions, type ForwardResult, type Rng } from '@ssseg/core';
import { Layer, Module, type ForwardContext } from './nn/module';
import { Conv2d } from './nn/conv';
import { BatchNorm2d } from './nn/batch-norm';
import { ReLU } from './nn/activation';
import { Sequential } from './nn/sequential';
import { concatChannels, concatChannelsOnnx, resizeBilinear, resizeBilinearOnnx, splitBatch, withPerturbedCopy } from './nn/functional';
import type { OnnxGraph, OnnxValue } from './onnx/graph';
import type { Backbone } from './backbones/backbone';
import { buildBackbone } from './backbones/components';
import { SegmentationModule } from './segmentation-module';
import { loadPretrainedBackbone } from './weights-import/import-weights';

export const DeepLabV3PlusOptions = z.strictObject({
  numClasses: z.number().int().positive(),
  /** A Backbone component (resnet, mobilenetv2 or one a plugin adds), validated by its own options. */
  backbone: ComponentConfig.default({ type: 'resnet' }),
  outputStride: z.union([z.literal(8), z.literal(16)]).default(16),
  /** ASPP dilation rates; default 6/12/18 at output stride 16, 12/24/36 at 8. */
  atrousRates: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).optional(),
  asppChannels: z.number().int().positive().default(256),
  lowLevelChannels: z.number().int().positive().default(48),
  decoderChannels: z.number().int().positive().default(256),
  /** Seed of the weight initialisation. */
  seed: z.number().int().default(0),
});
export type DeepLabV3PlusOptions = z.infer<typeof DeepLabV3PlusOptions>;

function convBnReLU(rng: Rng, inChannels: number, outChannels: number, kernelSize: number, dilation = 1): Sequential {
  return new Sequential(new Conv2d({ inChannels, outChannels, kernelSize, dilation }, rng), new BatchNorm2d(outChannels), new ReLU());
}

/** Image pooling branch: global average, 1x1 conv, BN, ReLU, broadcast back to the map's size. */
class AsppPooling extends Layer {
  private readonly gap: Sequential;

  constructor(rng: Rng, inChannels: number, outChannels: number) {
    super();
    // Index 0 is the pooling itself (no weights), so the names match UniMatch's gap.1 / gap.2.
    this.gap = this.registerModule('gap', new Sequential(new GlobalAveragePool(), ...convBnReLU(rng, inChannels, outChannels, 1).layers));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => tf.tile(this.gap.forward(x, ctx), [1, x.shape[1], x.shape[2], 1]));
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const pooled = this.gap.toOnnx(graph, x, `${name}.gap`);
    const [n, c] = pooled.shape;
    const shape = graph.int64Initializer(`${name}.shape`, [n, c, x.shape[2], x.shape[3]]);
    return graph.node('Expand', [pooled.name, shape.name], [n, c, x.shape[2], x.shape[3]], {}, `${name}.expand`);
  }
}

class GlobalAveragePool extends Layer {
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.mean(x, [1, 2], true) as tf.Tensor4D;
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    return graph.node('GlobalAveragePool', [x.name], [x.shape[0], x.shape[1], 1, 1], {}, name);
  }
}

/** Atrous spatial pyramid pooling with plain (not separable) 3x3 atrous convs, as UniMatch's. */
class Aspp extends Layer {
  private readonly branches: Layer[];
  private readonly project: Sequential;

  constructor(rng: Rng, inChannels: number, outChannels: number, rates: [number, number, number]) {
    super();
    this.branches = [
      this.registerModule('b0', convBnReLU(rng, inChannels, outChannels, 1)),
      ...rates.map((rate, i) => this.registerModule(`b${i + 1}`, convBnReLU(rng, inChannels, outChannels, 3, rate))),
      this.registerModule('b4', new AsppPooling(rng, inChannels, outChannels)),
    ];
    this.project = this.registerModule('project', convBnReLU(rng, 5 * outChannels, outChannels, 1));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => this.project.forward(concatChannels(this.branches.map((b) => b.forward(x, ctx))), ctx));
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const outs = this.branches.map((b, i) => b.toOnnx(graph, x, `${name}.b${i}`));
    return this.project.toOnnx(graph, concatChannelsOnnx(graph, outs, `${name}.concat`), `${name}.project`);
  }
}

/** The decoder on (low, high) encoder features; returns (features, logits) at the low level's size. */
class DeepLabV3PlusDecoder extends Module {
  readonly head: Aspp;
  readonly reduce: Sequential;
  readonly fuse: Sequential;
  readonly classifier: Conv2d;

  constructor(rng: Rng, backbone: Backbone, o: DeepLabV3PlusOptions) {
    super();
    const rates = o.atrousRates ?? (o.outputStride === 8 ? [12, 24, 36] : [6, 12, 18]);
    this.head = this.registerModule('head', new Aspp(rng, backbone.highChannels, o.asppChannels, rates));
    this.reduce = this.registerModule('reduce', convBnReLU(rng, backbone.lowChannels, o.lowLevelChannels, 1));
    this.fuse = this.registerModule('fuse', new Sequential(
      ...convBnReLU(rng, o.asppChannels + o.lowLevelChannels, o.decoderChannels, 3).layers,
      ...convBnReLU(rng, o.decoderChannels, o.decoderChannels, 3).layers,
    ));
    this.classifier = this.registerModule('classifier', new Conv2d({ inChannels: o.decoderChannels, outChannels: o.numClasses, kernelSize: 1, bias: true }, rng));
  }
}

/**
 * DeepLabV3+ (Chen et al. 2018) in UniMatch's layout: ResNet (deep stem) or MobileNetV2 encoder
 * with dilated last stages (output stride 8 or 16), ASPP, 48-channel low-level skip from stride 4,
 * two 3x3 256 convs and a 1x1 classifier. Logits at stride 4 (not upsampled to the input).
 * Feature perturbation runs the decoder once on the features and their Dropout2d(0.5) copy.
 */
@injectable()
export class DeepLabV3Plus extends SegmentationModule<DeepLabV3PlusOptions> {
  static options = DeepLabV3PlusOptions;
  static summary = 'DeepLabV3+ (UniMatch layout), ResNet or MobileNetV2 backbone, logits at stride 4';
  static readonly type = 'deeplabv3plus';
  readonly outputStride = 4;
  readonly backbone: Backbone;
  readonly pretrainedNotes: readonly string[] = [];
  private readonly decoder: DeepLabV3PlusDecoder;

  constructor(
    @inject(ComponentOptions) o: ComponentOptions<typeof DeepLabV3Plus.options>,
    @inject(BuildSubComponent) @optional() private readonly buildSub?: BuildSubComponent,
  ) {
    super(o);
    const rng = this.initRng();
    const { backbone, pretrained } = buildBackbone(o.backbone, { outputStride: o.outputStride, rng }, buildSub);
    this.backbone = this.registerModule('backbone', backbone);
    // The decoder's parts sit at the top level ('head', 'reduce', 'fuse', 'classifier'), as in UniMatch.
    this.decoder = new DeepLabV3PlusDecoder(rng, this.backbone, o);
    for (const [name, child] of this.decoder.children()) this.registerModule(name, child);
    if (pretrained) this.pretrainedNotes = [`backbone.pretrained ${pretrained}:`, ...loadPretrainedBackbone(this, pretrained).map((line) => `  ${line}`)];
  }

  protected create(): DeepLabV3Plus {
    // a clone gets its weights copied from this model: no need to read the pretrained file again
    const { pretrained: _pretrained, ...backbone } = this.options.backbone;
    return new DeepLabV3Plus({ ...this.options, backbone }, this.buildSub);
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    const ctx = { training: options.training };
    return tf.tidy(() => {
      let { low, high } = this.backbone.forward(x, ctx);
      if (!options.perturbFeatures) {
        const { features, logits } = this.decode(low, high, ctx);
        return { logits, features };
      }
      if (!options.rng) throw new Error('deeplabv3plus: perturbFeatures needs options.rng (the dropout masks are drawn from it)');
      low = withPerturbedCopy(low, options.rng);
      high = withPerturbedCopy(high, options.rng);
      const decoded = this.decode(low, high, ctx);
      const [logits, perturbedLogits] = splitBatch(decoded.logits);
      const [features] = splitBatch(decoded.features);
      return { logits, perturbedLogits, features };
    });
  }

  private decode(low: tf.Tensor4D, high: tf.Tensor4D, ctx: ForwardContext): { features: tf.Tensor4D; logits: tf.Tensor4D } {
    const d = this.decoder;
    const context = resizeBilinear(d.head.forward(high, ctx), [low.shape[1], low.shape[2]], 'align_corners');
    const features = d.fuse.forward(concatChannels([d.reduce.forward(low, ctx), context]), ctx);
    return { features, logits: d.classifier.forward(features) };
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue): OnnxValue {
    const d = this.decoder;
    const { low, high } = this.backbone.toOnnx(graph, x, 'backbone');
    const head = d.head.toOnnx(graph, high, 'head');
    const context = resizeBilinearOnnx(graph, head, [low.shape[2], low.shape[3]], 'align_corners', 'head.resize');
    const reduced = d.reduce.toOnnx(graph, low, 'reduce');
    const features = d.fuse.toOnnx(graph, concatChannelsOnnx(graph, [reduced, context], 'concat'), 'fuse');
    return d.classifier.toOnnx(graph, features, 'classifier');
  }
}
