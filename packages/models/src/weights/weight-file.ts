import { tf } from '@ssseg/engine';
import { loadTensorFile, saveTensorFile, SssegError, type SegmentationModel } from '@ssseg/core';

/**
 * Model weights as one file: core's tensor file (magic, JSON header with names, dtypes, shapes,
 * offsets and metadata, raw little-endian data, a checksum verified on every load), written
 * atomically (temporary file, rename).
 */
export function saveWeights(model: SegmentationModel, file: string, meta: Record<string, unknown> = {}): void {
  saveTensorFile(file, model.getWeights(), { format: 'ssseg-weights-1', modelType: model.type, numClasses: model.numClasses, ...meta });
}

export interface LoadWeightsOptions {
  /** Every weight of the model must be in the file and nothing else (default true). */
  strict?: boolean;
}

/** Loads a whole model's weights; returns the file's metadata. Errors name the file, the layer and both shapes. */
export function loadWeights(model: SegmentationModel, file: string, options: LoadWeightsOptions = {}): Record<string, unknown> {
  const { tensors, meta } = loadTensorFile(file);
  try {
    model.setWeights(tensors, { strict: options.strict ?? true });
  } catch (err) {
    throw new SssegError((err as Error).message, file);
  } finally {
    tf.dispose([...tensors.values()]);
  }
  return meta;
}

export interface LoadBackboneOptions {
  /** Names in the source start with this (e.g. 'backbone.' in a full-model file, '' in a backbone-only one). */
  sourcePrefix?: string;
  /** Where the backbone lives in the model (default 'backbone.'). */
  targetPrefix?: string;
}

/**
 * Loads pretrained encoder weights: every model weight under `targetPrefix` must come from the
 * source (names under `sourcePrefix`, renamed) and no source weight may be left unused; the rest of
 * the model is left as it is. `source` is a weight file or a name -> tensor map (not disposed).
 * Returns what was set, as describeFit says it.
 */
export function loadBackboneWeights(model: SegmentationModel, source: string | Map<string, tf.Tensor>, options: LoadBackboneOptions = {}): string {
  const from = options.sourcePrefix ?? '';
  const to = options.targetPrefix ?? 'backbone.';
  const file = typeof source === 'string' ? loadTensorFile(source) : undefined;
  const tensors = file?.tensors ?? (source as Map<string, tf.Tensor>);
  const where = typeof source === 'string' ? source : undefined;
  try {
    const renamed = new Map<string, tf.Tensor>();
    for (const [name, t] of tensors) if (name.startsWith(from)) renamed.set(to + name.slice(from.length), t);
    const expected = [...model.getWeights().keys()].filter((n) => n.startsWith(to));
    if (!expected.length) throw new SssegError(`the model has no weights under '${to}'`, where);
    const missing = expected.filter((n) => !renamed.has(n));
    const expectedSet = new Set(expected);
    const unused = [...renamed.keys()].filter((n) => !expectedSet.has(n));
    if (missing.length || unused.length) {
      const names = (ns: string[]) => ns.slice(0, 5).map((n) => `'${n}'`).join(', ') + (ns.length > 5 ? ` and ${ns.length - 5} more` : '');
      throw new SssegError(
        `backbone weights do not fit the model: ${[missing.length ? `missing ${names(missing)}` : '', unused.length ? `not in the model ${names(unused)}` : ''].filter(Boolean).join('; ')}`,
        where,
      );
    }
    try {
      model.setWeights(renamed, { strict: false });
    } catch (err) {
      throw new SssegError((err as Error).message, where);
    }
    return describeFit(renamed);
  } finally {
    if (file) tf.dispose([...file.tensors.values()]);
  }
}

/** How many tensors and values a set of weights holds ('122 tensors, 11176512 values'). */
export function describeFit(tensors: Map<string, tf.Tensor>): string {
  const values = [...tensors.values()].reduce((s, t) => s + t.size, 0);
  return `${tensors.size} tensors, ${values} values`;
}
