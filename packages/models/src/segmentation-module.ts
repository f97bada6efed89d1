import { tf } from '@ssseg/engine';
import { Rng, componentType, type ForwardOptions, type ForwardResult, type SegmentationModel } from '@ssseg/core';
import { Module, setModuleState } from './nn/module';
import type { OnnxGraph, OnnxValue } from './onnx/graph';

/**
 * A SegmentationModel over a module tree: trainable variables and state by path, strict
 * set-weights, clone. Subclasses build the tree in `build(rng)` and implement forward and
 * their ONNX graph.
 */
export abstract class SegmentationModule<Options extends { numClasses: number; seed?: number }> extends Module implements SegmentationModel {
  /** The config `type`: the subclass's static `type`. */
  get type(): string {
    return componentType(this);
  }

  abstract readonly outputStride: number;
  readonly numClasses: number;

  constructor(readonly options: Options) {
    super();
    if (!Number.isInteger(options.numClasses) || options.numClasses < 1) {
      throw new Error(`numClasses must be a positive integer, got ${options.numClasses}`);
    }
    this.numClasses = options.numClasses;
  }

  /** The generator that initialises the weights (same seed, same weights). */
  protected initRng(): Rng {
    return Rng.fromSeed(`${this.type}:${this.options.seed ?? 0}`);
  }

  abstract forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult;
  /** Appends the eval-mode graph reading `x` (NCHW); returns the logits value (NCHW). */
  abstract toOnnx(graph: OnnxGraph, x: OnnxValue): OnnxValue;
  /** A fresh model with the same options (and newly initialised weights). */
  protected abstract create(): SegmentationModule<Options>;

  trainableVariables(): Map<string, tf.Variable> {
    return new Map(this.namedParameters());
  }

  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.namedState());
  }

  /** Copies values into the state (see setModuleState: checked first, strict by default). */
  setWeights(weights: Map<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
    setModuleState(this, this.type, weights, options);
  }

  clone(): this {
    const copy = this.create() as this;
    copy.setWeights(this.getWeights());
    return copy;
  }
}
