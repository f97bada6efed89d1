import { tf } from '@ssseg/engine';
import { Rng, componentType, type ForwardOptions, type ForwardResult, type SegmentationModel } from '@ssseg/core';
import { Module } from './nn/module';
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

  /**
   * Copies values into the state after checking all of them first (nothing is written if one
   * fails). strict (default): every state tensor must be given and nothing else; otherwise
   * missing and unknown names are skipped. A shape mismatch always fails, naming the layer.
   */
  setWeights(weights: Map<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
    setModuleState(this, this.type, weights, options);
  }

  clone(): this {
    const copy = this.create() as this;
    copy.setWeights(this.getWeights());
    return copy;
  }
}

/**
 * `module`'s state (parameters and buffers by path) set from `weights`, as SegmentationModule's
 * and a method's trained parts' setWeights do; `owner` names the module in errors.
 */
export function setModuleState(module: Module, owner: string, weights: Map<string, tf.Tensor>, options: { strict?: boolean } = {}): void {
  const strict = options.strict ?? true;
  const state = new Map(module.namedState());
  if (strict) {
    const missing = [...state.keys()].filter((n) => !weights.has(n));
    const unknown = [...weights.keys()].filter((n) => !state.has(n));
    if (missing.length || unknown.length) {
      throw new Error(
        `setWeights (${owner}): ` +
          [missing.length ? `missing ${list(missing)}` : '', unknown.length ? `unknown ${list(unknown)}` : ''].filter(Boolean).join('; '),
      );
    }
  }
  const updates: [tf.Variable, tf.Tensor][] = [];
  for (const [name, value] of weights) {
    const target = state.get(name);
    if (!target) continue;
    if (value.shape.join(',') !== target.shape.join(',')) {
      throw new Error(`setWeights (${owner}): layer '${name}' has shape [${value.shape.join(', ')}] in the given weights, the model expects [${target.shape.join(', ')}]`);
    }
    if (value.dtype !== target.dtype) {
      throw new Error(`setWeights (${owner}): layer '${name}' has dtype ${value.dtype} in the given weights, the model expects ${target.dtype}`);
    }
    updates.push([target, value]);
  }
  // A copy: assign would otherwise share the caller's buffer. tidy frees the temporary handle.
  tf.tidy(() => updates.forEach(([target, value]) => target.assign(tf.add(value, 0))));
}

function list(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
