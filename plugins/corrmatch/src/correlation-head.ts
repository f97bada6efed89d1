import { tf } from '@ssseg/engine';
import { resizeLogits, stopGradient, type Rng, type TrainedPart } from '@ssseg/core';
import { blockMean } from './block-mean';
import { BatchNorm2d, Conv2d, Module, ReLU, Sequential, channelDropout, resizeBilinear, setModuleState } from '@ssseg/models';

export interface CorrelationHeadOptions {
  /** Channels of the student's decoder features. */
  featureChannels: number;
  numClasses: number;
  /** Channels of the projection (the official 256). */
  channels: number;
  /** Channel dropout after the projection, in training. */
  dropout: number;
  /** Decoder features are averaged over blocks of this side before the projection. */
  pool: number;
  /** Initialises the weights. */
  rng: Rng;
}

/** One view's pixel-pixel correlation on the correlation grid. */
export interface ViewCorrelation {
  /** [B, N, N] with N = gh * gw: row i is softmax_j of the similarity of pixel i to pixel j. */
  correlation: tf.Tensor3D;
  /** [gh, gw]. */
  grid: [number, number];
}

const TRAINING = { training: true };

/**
 * CorrMatch's correlation module, trained beside the student: the decoder features, averaged over
 * blocks to the correlation grid, are projected (3x3 conv, BN, ReLU, channel dropout) and embedded twice by 1x1
 * convs into C channels (f1, f2); the correlation is softmax_j(f1_i . f2_j / sqrt(C)). A view's
 * prediction is propagated through it: out_j = sum_i corr_ij pred_i, with the prediction detached.
 * Only the training step uses it: the network and what it evaluates stay as they are.
 */
export class CorrelationHead extends Module implements TrainedPart {
  private readonly proj: Sequential;
  private readonly conv1: Conv2d;
  private readonly conv2: Conv2d;

  constructor(private readonly o: CorrelationHeadOptions) {
    super();
    const { featureChannels, channels, numClasses, rng } = o;
    this.proj = this.registerModule('proj', new Sequential(
      new Conv2d({ inChannels: featureChannels, outChannels: channels, kernelSize: 3, bias: true }, rng),
      new BatchNorm2d(channels),
      new ReLU(),
    ));
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels: channels, outChannels: numClasses, kernelSize: 1, bias: true }, rng));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: channels, outChannels: numClasses, kernelSize: 1, bias: true }, rng));
  }

  /** The correlation of one view from the student's decoder features [B, h, w, F] (training mode). */
  correlate(features: tf.Tensor4D, rng: Rng): ViewCorrelation {
    return tf.tidy(() => {
      const pooled = blockMean(features, this.o.pool);
      let projected = this.proj.forward(pooled, TRAINING);
      if (this.o.dropout > 0) projected = channelDropout(projected, this.o.dropout, rng);
      const [B, gh, gw] = projected.shape;
      const C = this.o.numClasses;
      const f1 = this.conv1.forward(projected).reshape([B, gh * gw, C]);
      const f2 = this.conv2.forward(projected).reshape([B, gh * gw, C]);
      const correlation = tf.softmax(tf.matMul(f1, f2, false, true).div(Math.sqrt(C))) as tf.Tensor3D;
      return { correlation, grid: [gh, gw] as [number, number] };
    }) as unknown as ViewCorrelation;
  }

  /**
   * The view's prediction (logits [B, h, w, C], detached here) taken to the grid, propagated
   * through the correlation and brought back to `size`: the correlation-matched logits [B, H, W, C].
   * The official resizes: bilinear with aligned corners to the grid and back.
   */
  propagate({ correlation, grid }: ViewCorrelation, logits: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    return tf.tidy(() => {
      const [B] = logits.shape;
      const C = logits.shape[3];
      const prediction = resizeBilinear(resizeLogits(stopGradient(logits), size), grid, 'align_corners').reshape([B, grid[0] * grid[1], C]);
      const propagated = tf.matMul(correlation, prediction, true, false).reshape([B, grid[0], grid[1], C]) as tf.Tensor4D;
      return resizeBilinear(propagated, size, 'align_corners');
    });
  }

  trainableVariables(): Map<string, tf.Variable> {
    return new Map(this.namedParameters());
  }

  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.namedState());
  }

  setWeights(weights: Map<string, tf.Tensor>, options?: { strict?: boolean }): void {
    setModuleState(this, 'corrmatch correlation head', weights, options);
  }
}
