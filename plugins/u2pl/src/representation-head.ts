import { tf } from '@ssseg/engine';
import type { Rng, TrainedPart } from '@ssseg/core';
import { BatchNorm2d, Conv2d, Module, ReLU, Sequential, channelDropout, setModuleState } from '@ssseg/models';

export interface RepresentationHeadOptions {
  /** Channels of the decoder features it reads. */
  inChannels: number;
  /** Channels of its two hidden blocks. */
  channels: number;
  /** Dimension of the embedding the contrastive loss compares. */
  dim: number;
  /** Dropout2d probability after each hidden block, in training. */
  dropout: number;
}

/**
 * U2PL's representation head on the decoder features (the official decoder's `representation`):
 * two blocks of 3x3 convolution (with bias), batch norm, ReLU and Dropout2d, then a 1x1
 * convolution to the embedding. Its dropout masks come from the step's seeded generator.
 */
export class RepresentationHead extends Module implements TrainedPart {
  private readonly blocks: Sequential[];
  private readonly projection: Conv2d;

  constructor(readonly options: RepresentationHeadOptions, rng: Rng) {
    super();
    const { inChannels, channels, dim } = options;
    const block = (inC: number) => new Sequential(new Conv2d({ inChannels: inC, outChannels: channels, kernelSize: 3, bias: true }, rng), new BatchNorm2d(channels), new ReLU());
    this.blocks = [this.registerModule('0', block(inChannels)), this.registerModule('1', block(channels))];
    this.projection = this.registerModule('2', new Conv2d({ inChannels: channels, outChannels: dim, kernelSize: 1, bias: true }, rng));
  }

  /** Embeddings [B, h, w, dim]; training uses batch statistics and needs `rng` for the dropout when it is on. */
  forward(features: tf.Tensor4D, mode: { training: boolean; rng?: Rng }): tf.Tensor4D {
    const { dropout } = this.options;
    return tf.tidy(() => {
      let h = features;
      for (const block of this.blocks) {
        h = block.forward(h, mode);
        if (mode.training && dropout > 0) {
          if (!mode.rng) throw new Error('representation head: dropout in training needs the step generator');
          h = channelDropout(h, dropout, mode.rng);
        }
      }
      return this.projection.forward(h);
    });
  }

  trainableVariables(): Map<string, tf.Variable> {
    return new Map(this.namedParameters());
  }

  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.namedState());
  }

  setWeights(weights: Map<string, tf.Tensor>, options?: { strict?: boolean }): void {
    setModuleState(this, 'u2pl representation head', weights, options);
  }

  /** A head of the same shape holding a copy of these weights (the teacher's EMA copy starts so). */
  clone(rng: Rng): RepresentationHead {
    const copy = new RepresentationHead(this.options, rng);
    copy.setWeights(this.getWeights());
    return copy;
  }
}
