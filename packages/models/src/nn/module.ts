import { tf } from '@ssseg/engine';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

/** Per-call mode, as torch's module.train()/eval() but passed with each forward. */
export interface ForwardContext {
  training: boolean;
}

/**
 * A tree of named children owning named tensors, as torch.nn.Module: trainable parameters and
 * non-trainable state (batch-norm running statistics). Paths join names with dots
 * ('backbone.layer1.0.conv1.weight'), so weights keep stable names across runs and exporters.
 */
export class Module {
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly ownChildren = new Map<string, Module>();

  protected registerParameter(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, true);
    value.dispose();
    this.ownParameters.set(name, v);
    return v;
  }

  protected registerBuffer(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, false);
    value.dispose();
    this.ownBuffers.set(name, v);
    return v;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.ownChildren.set(name, module);
    return module;
  }

  children(): [string, Module][] {
    return [...this.ownChildren];
  }

  /** Trainable parameters by path, each module's own first, then its children in order. */
  namedParameters(prefix = ''): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [...this.ownParameters].map(([n, v]) => [prefix + n, v]);
    for (const [name, child] of this.ownChildren) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Parameters and buffers of every module, in torch's state_dict order. */
  namedState(prefix = ''): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [
      ...[...this.ownParameters].map(([n, v]): [string, tf.Variable] => [prefix + n, v]),
      ...[...this.ownBuffers].map(([n, v]): [string, tf.Variable] => [prefix + n, v]),
    ];
    for (const [name, child] of this.ownChildren) out.push(...child.namedState(`${prefix}${name}.`));
    return out;
  }

  dispose(): void {
    for (const v of this.ownParameters.values()) v.dispose();
    for (const v of this.ownBuffers.values()) v.dispose();
    for (const child of this.ownChildren.values()) child.dispose();
  }
}

/** A module with one input and one output, in tfjs (NHWC) and as ONNX nodes (NCHW). */
export abstract class Layer extends Module {
  abstract forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
  /** Appends this layer's nodes to the graph, reading `x`; returns the output value. */
  abstract toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue;
}

/**
 * Copies values into a module's state (parameters and buffers by path) after checking all of them
 * first (nothing is written if one fails). strict (default): every state tensor must be given and
 * nothing else; otherwise missing and unknown names are skipped. A shape mismatch always fails,
 * naming the layer. `owner` names the module in errors.
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
