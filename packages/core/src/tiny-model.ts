import { tf } from '@ssseg/engine';
import { componentType } from './plugin';
import { Rng } from './rng';
import type { ForwardOptions, ForwardResult, SegmentationModel } from './tokens';

export interface TinyModelOptions {
  numClasses: number;
  inChannels?: number;
  width?: number;
  seed?: number;
}

/**
 * The smallest real segmentation network (3x3 conv + ReLU, 1x1 classifier, full resolution),
 * for tests of methods, hooks and the trainer that must not depend on packages/models.
 * Feature perturbation drops encoder channels with p = 0.5 as UniMatch does.
 */
export class TinySegmentationModel implements SegmentationModel {
  static readonly type = 'tiny';
  readonly type = componentType(this);
  readonly outputStride = 1;
  readonly numClasses: number;
  private readonly vars: Map<string, tf.Variable>;

  constructor(private readonly options: TinyModelOptions, weights?: Map<string, tf.Tensor>) {
    this.numClasses = options.numClasses;
    const inC = options.inChannels ?? 3, width = options.width ?? 8;
    const rng = Rng.fromSeed(options.seed ?? 1);
    const init = (shape: number[], fanIn: number) =>
      tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal() * Math.sqrt(2 / fanIn)), shape);
    const shapes: Record<string, [number[], number]> = {
      'encoder.weight': [[3, 3, inC, width], 9 * inC],
      'encoder.bias': [[width], 0],
      'classifier.weight': [[1, 1, width, this.numClasses], width],
      'classifier.bias': [[this.numClasses], 0],
    };
    this.vars = new Map(
      Object.entries(shapes).map(([name, [shape, fanIn]]) => [
        name,
        tf.tidy(() => tf.variable(weights?.has(name) ? deepCopy(weights.get(name)!) : fanIn ? init(shape, fanIn) : tf.zeros(shape), true)),
      ]),
    );
  }

  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    return tf.tidy(() => {
      const v = (n: string) => this.vars.get(n)!;
      const features = tf.relu(tf.conv2d(x, v('encoder.weight') as tf.Tensor4D, 1, 'same').add(v('encoder.bias'))) as tf.Tensor4D;
      const classify = (f: tf.Tensor4D) =>
        tf.conv2d(f, v('classifier.weight') as tf.Tensor4D, 1, 'same').add(v('classifier.bias')) as tf.Tensor4D;
      const logits = classify(features);
      if (!options.perturbFeatures) return { logits, features };
      const rng = options.rng ?? Rng.fromSeed(0);
      const [b, , , c] = features.shape;
      const keep = tf.tensor4d(Array.from({ length: b * c }, () => (rng.bernoulli(0.5) ? 2 : 0)), [b, 1, 1, c]);
      return { logits, features, perturbedLogits: classify(features.mul(keep) as tf.Tensor4D) };
    });
  }

  trainableVariables(): Map<string, tf.Variable> {
    return this.vars;
  }

  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.vars);
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    for (const [name, variable] of this.vars) {
      const w = weights.get(name);
      if (!w) throw new Error(`setWeights: missing '${name}'`);
      if (w.shape.join() !== variable.shape.join()) {
        throw new Error(`setWeights: '${name}' has shape [${w.shape}], the model expects [${variable.shape}]`);
      }
      variable.assign(w);
    }
  }

  clone(): TinySegmentationModel {
    return new TinySegmentationModel(this.options, this.getWeights());
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}

/** A copy with its own storage: tf.clone shares the data buffer, and variables sharing one break on assign. */
function deepCopy(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync().slice(), t.shape, t.dtype);
}
