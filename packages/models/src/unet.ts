import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { ComponentOptions, type ForwardOptions, type ForwardResult, type Rng } from '@ssseg/core';
import type { ForwardContext } from './nn/module';
import { Conv2d } from './nn/conv';
import { BatchNorm2d } from './nn/batch-norm';
import { ReLU } from './nn/activation';
import { Sequential } from './nn/sequential';
import { MaxPool2d } from './nn/pool';
import { concatChannels, concatChannelsOnnx, resizeBilinear, resizeBilinearOnnx, splitBatch, withPerturbedCopy } from './nn/functional';
import type { OnnxGraph, OnnxValue } from './onnx/graph';
import { SegmentationModule } from './segmentation-module';

export const UNetOptions = z.strictObject({
  numClasses: z.number().int().positive(),
  /** Channels of the first level; level i has baseWidth * 2^i. */
  baseWidth: z.number().int().positive().default(16),
  /** Number of 2x downsamplings. */
  depth: z.number().int().min(1).max(6).default(3),
  inChannels: z.number().int().positive().default(3),
  seed: z.number().int().default(0),
});
export type UNetOptions = z.infer<typeof UNetOptions>;

/** Two (3x3 conv, BN, ReLU). */
function doubleConv(rng: Rng, inChannels: number, outChannels: number): Sequential {
  return new Sequential(
    new Conv2d({ inChannels, outChannels, kernelSize: 3 }, rng), new BatchNorm2d(outChannels), new ReLU(),
    new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3 }, rng), new BatchNorm2d(outChannels), new ReLU(),
  );
}

/**
 * A small U-Net (Ronneberger et al.) with BN, logits at full resolution. Pooling rounds sizes up
 * and each decoder level resizes (bilinear, half-pixel) to its skip's exact size before the
 * concatenation, so any input size works. Feature perturbation drops channels of every encoder
 * output the decoder reads (skips and bottom).
 */
@injectable()
export class UNet extends SegmentationModule<UNetOptions> {
  static options = UNetOptions;
  static summary = 'small U-Net with batch norm, full-resolution logits, any input size';
  static readonly type = 'unet';
  readonly outputStride = 1;
  private readonly down: Sequential[] = [];
  private readonly bottom: Sequential;
  private readonly up: Sequential[] = [];
  private readonly classifier: Conv2d;
  private readonly pool = new MaxPool2d(2, 2, 'ceil');

  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof UNet.options>) {
    super(o);
    const rng = this.initRng();
    const width = (level: number) => o.baseWidth * 2 ** level;
    for (let i = 0; i < o.depth; i++) {
      this.down.push(this.registerModule(`down.${i}`, doubleConv(rng, i === 0 ? o.inChannels : width(i - 1), width(i))));
    }
    this.bottom = this.registerModule('bottom', doubleConv(rng, width(o.depth - 1), width(o.depth)));
    for (let i = o.depth - 1; i >= 0; i--) {
      this.up.unshift(this.registerModule(`up.${i}`, doubleConv(rng, width(i + 1) + width(i), width(i))));
    }
    this.classifier = this.registerModule('classifier', new Conv2d({ inChannels: width(0), outChannels: o.numClasses, kernelSize: 1, bias: true }, rng));
  }

  protected create(): UNet {
    return new UNet(this.options);
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    const ctx = { training: options.training };
    return tf.tidy(() => {
      let { skips, bottom } = this.encode(x, ctx);
      if (!options.perturbFeatures) {
        const features = this.decode(skips, bottom, ctx);
        return { logits: this.classifier.forward(features), features };
      }
      const rng = options.rng;
      if (!rng) throw new Error('unet: perturbFeatures needs options.rng (the dropout masks are drawn from it)');
      skips = skips.map((s) => withPerturbedCopy(s, rng));
      bottom = withPerturbedCopy(bottom, rng);
      const decoded = this.decode(skips, bottom, ctx);
      const [logits, perturbedLogits] = splitBatch(this.classifier.forward(decoded));
      const [features] = splitBatch(decoded);
      return { logits, perturbedLogits, features };
    });
  }

  private encode(x: tf.Tensor4D, ctx: ForwardContext): { skips: tf.Tensor4D[]; bottom: tf.Tensor4D } {
    const skips: tf.Tensor4D[] = [];
    let h = x;
    for (const block of this.down) {
      h = block.forward(h, ctx);
      skips.push(h);
      h = this.pool.forward(h);
    }
    return { skips, bottom: this.bottom.forward(h, ctx) };
  }

  private decode(skips: tf.Tensor4D[], bottom: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let h = bottom;
    for (let i = this.up.length - 1; i >= 0; i--) {
      const skip = skips[i];
      const upsampled = resizeBilinear(h, [skip.shape[1], skip.shape[2]], 'half_pixel');
      h = this.up[i].forward(concatChannels([skip, upsampled]), ctx);
    }
    return h;
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue): OnnxValue {
    const skips: OnnxValue[] = [];
    let h = x;
    this.down.forEach((block, i) => {
      h = block.toOnnx(graph, h, `down.${i}`);
      skips.push(h);
      h = this.pool.toOnnx(graph, h, `pool.${i}`);
    });
    h = this.bottom.toOnnx(graph, h, 'bottom');
    for (let i = this.up.length - 1; i >= 0; i--) {
      const skip = skips[i];
      const upsampled = resizeBilinearOnnx(graph, h, [skip.shape[2], skip.shape[3]], 'half_pixel', `up.${i}.resize`);
      h = this.up[i].toOnnx(graph, concatChannelsOnnx(graph, [skip, upsampled], `up.${i}.concat`), `up.${i}`);
    }
    return this.classifier.toOnnx(graph, h, 'classifier');
  }
}
