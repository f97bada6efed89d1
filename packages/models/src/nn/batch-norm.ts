import { batchNormTraining, tf } from '@ssseg/engine';
import { Layer, type ForwardContext } from './module';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

export interface BatchNorm2dOptions {
  eps?: number;
  /** torch's convention: running = (1 - momentum) * running + momentum * batch. */
  momentum?: number;
}

/**
 * Batch normalisation over N, H, W. Training uses the batch's statistics and moves the running
 * ones (non-trainable state, unbiased variance as torch keeps it); eval uses the running ones.
 */
export class BatchNorm2d extends Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly channels: number, options: BatchNorm2dOptions = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = this.registerParameter('weight', tf.ones([channels]));
    this.bias = this.registerParameter('bias', tf.zeros([channels]));
    this.runningMean = this.registerBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.registerBuffer('running_var', tf.ones([channels]));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      if (!ctx.training) {
        return tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, this.bias as tf.Tensor1D, this.weight as tf.Tensor1D, this.eps);
      }
      // one fused kernel forward and backward on native; moments + batchNorm elsewhere
      const { y, mean, variance } = batchNormTraining(x, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, this.eps);
      this.updateRunningStats(mean, variance, x.shape[0] * x.shape[1] * x.shape[2]);
      return y as tf.Tensor4D;
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = this.momentum;
    const unbiased = count > 1 ? count / (count - 1) : 1;
    tf.tidy(() => {
      this.runningMean.assign(this.runningMean.mul(1 - m).add(mean.mul(m)));
      this.runningVar.assign(this.runningVar.mul(1 - m).add(variance.mul(m * unbiased)));
    });
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const init = (suffix: string, v: tf.Variable) => graph.floatInitializer(`${name}.${suffix}`, v.dataSync() as Float32Array, [this.channels]).name;
    return graph.node(
      'BatchNormalization',
      [x.name, init('weight', this.weight), init('bias', this.bias), init('running_mean', this.runningMean), init('running_var', this.runningVar)],
      x.shape,
      { epsilon: { float: this.eps } },
      name,
    );
  }
}
