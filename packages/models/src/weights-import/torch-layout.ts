import { tf } from '@ssseg/engine';
import { SssegError } from '@ssseg/core';
import { Module } from '../nn/module';
import { Conv2d } from '../nn/conv';
import { convWeightFromOnnx } from '../onnx/graph';
import { isFloatDtype, type SourceTensor } from './source-tensor';

/** How a model tensor is laid out in PyTorch: conv weights [out, in, kh, kw], depthwise [C, 1, k, k]. */
export type TorchLayout = 'conv' | 'depthwise' | 'plain';

export interface ExpectedTensor {
  tfShape: number[];
  torchShape: number[];
  layout: TorchLayout;
}

/** Every tensor of a module (parameters and running statistics) with its shape in both layouts. */
export function expectedTensors(module: Module): Map<string, ExpectedTensor> {
  const layouts = new Map<string, TorchLayout>();
  const walk = (m: Module, prefix: string): void => {
    if (m instanceof Conv2d) layouts.set(`${prefix}weight`, m.depthwise ? 'depthwise' : 'conv');
    for (const [name, child] of m.children()) walk(child, `${prefix}${name}.`);
  };
  walk(module, '');
  const out = new Map<string, ExpectedTensor>();
  for (const [name, v] of module.namedState()) {
    const layout = layouts.get(name) ?? 'plain';
    const [kh, kw, inC, outC] = v.shape;
    const torchShape = layout === 'conv' ? [outC, inC, kh, kw] : layout === 'depthwise' ? [inC, outC, kh, kw] : v.shape;
    out.set(name, { tfShape: v.shape, torchShape, layout });
  }
  return out;
}

/** PyTorch-layout values to tfjs's layout. */
export function toTfLayout(values: Float32Array, e: ExpectedTensor): Float32Array {
  const [a, b, kh, kw] = e.torchShape;
  if (e.layout === 'conv') return convWeightFromOnnx(values, e.torchShape);
  // [C, 1, k, k] -> [k, k, C, 1]: the ONNX-to-tf conv transpose with C as the input axis
  if (e.layout === 'depthwise') return convWeightFromOnnx(values, [b, a, kh, kw]);
  return values;
}

export interface MatchOptions {
  /** Every model tensor must be in the source, fit, and nothing else be left (default true). */
  strict?: boolean;
  /** Source tensors that are known not to belong to the model, with why ('ImageNet classifier'). */
  leaveOut?: (name: string) => string | undefined;
  /** What the file was recognised as, named in the error when it is not what the model is. */
  found?: string;
}

export interface MatchResult {
  /** Model name -> tensor in tf layout; the caller disposes them. */
  tensors: Map<string, tf.Tensor>;
  /** What `strict: false` skipped, one line each. */
  skipped: string[];
  /** Source tensors left out on purpose, grouped by why: why -> names. */
  leftOut: Map<string, string[]>;
}

const shape = (s: number[]) => `[${s.join(', ')}]`;

/**
 * Checks a state dict against a model's tensors (names and PyTorch shapes) and converts what fits.
 * Strict: a missing, extra or mis-shaped tensor is an error listing every one (name, expected and
 * found shape). Not strict: those are skipped and listed; the model keeps its own values for them.
 */
export function matchTensors(source: Map<string, SourceTensor>, expected: Map<string, ExpectedTensor>, what: string, file: string, options: MatchOptions = {}): MatchResult {
  const strict = options.strict ?? true;
  const leftOut = new Map<string, string[]>();
  const problems: string[] = [];
  const fits: [string, SourceTensor, ExpectedTensor][] = [];
  for (const [name, t] of source) {
    const e = expected.get(name);
    if (!e) {
      const why = name.endsWith('num_batches_tracked') ? 'batch-norm step counters' : options.leaveOut?.(name);
      if (why) leftOut.set(why, [...(leftOut.get(why) ?? []), name]);
      else problems.push(`not in the model: '${name}' ${shape(t.shape)}`);
    } else if (t.shape.join() !== e.torchShape.join()) {
      problems.push(`wrong shape: '${name}' is ${shape(t.shape)} in the file, the model expects ${shape(e.torchShape)}`);
    } else if (!isFloatDtype(t.dtype)) {
      problems.push(`wrong type: '${name}' is ${t.dtype} in the file, the model expects floats`);
    } else {
      fits.push([name, t, e]);
    }
  }
  for (const [name, e] of expected) if (!source.has(name)) problems.push(`missing: '${name}' ${shape(e.torchShape)}`);
  if (strict && problems.length) {
    const listed = problems.slice(0, 12).map((p) => `  ${p}`).join('\n') + (problems.length > 12 ? `\n  ... and ${problems.length - 12} more` : '');
    const found = options.found && options.found !== what ? ` (the file holds a ${options.found})` : '';
    throw new SssegError(`the weights do not fit ${what}${found}:\n${listed}\n(--strict false imports what fits and lists the rest)`, file);
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, t, e] of fits) tensors.set(name, tf.tensor(toTfLayout(t.values(), e), e.tfShape));
  return { tensors, skipped: problems, leftOut };
}
