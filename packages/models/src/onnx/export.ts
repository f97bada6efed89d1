import { writeFileAtomic, type SegmentationModel } from '@ssseg/core';
import { OnnxGraph } from './graph';
import { SegmentationModule } from '../segmentation-module';

export interface OnnxExportOptions {
  /** NHWC input shape the graph is built for, e.g. [1, 512, 512, 3] (shapes are static). */
  inputShape: [number, number, number, number];
  /**
   * Normalisation done inside the graph, so a user feeds plain RGB: `(x / scale - mean) / std`
   * per channel, with `scale` 255 for 0-255 input or 1 for 0-1 input. Absent: the graph takes
   * input already normalised as in training.
   */
  preprocessing?: OnnxPreprocessing;
}

export interface OnnxPreprocessing {
  scale: 1 | 255;
  mean: [number, number, number];
  std: [number, number, number];
}

/** What the 'image' input expects, as written into the model's metadata ('input_format'). */
export function describeOnnxInput(pre: OnnxPreprocessing | undefined): string {
  return pre
    ? `float32 NHWC RGB in [0, ${pre.scale}]; the graph normalises with mean ${pre.mean.join(',')} and std ${pre.std.join(',')} (of [0, 1] values)`
    : 'float32 NHWC RGB, already normalised as in training ((x - mean) / std of [0, 1] values)';
}

export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'logits';

/**
 * The model's eval-mode graph as an ONNX ModelProto (opset 13): input 'image' [B, H, W, C] and
 * output 'logits' [B, h, w, classes], NHWC as in tfjs (transposed to ONNX's NCHW inside).
 * Initializers keep the weights' names ('backbone.layer1.0.conv1.weight', in ONNX layout).
 */
export function exportOnnx(model: SegmentationModel, options: OnnxExportOptions): Uint8Array {
  if (!(model instanceof SegmentationModule)) {
    throw new Error(`exportOnnx: model type '${model.type}' has no ONNX graph (only @ssseg/models networks do)`);
  }
  const shape = options.inputShape;
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`exportOnnx: inputShape must be four positive integers [B, H, W, C], got [${shape}]`);
  }
  const graph = new OnnxGraph();
  const [b, h, w, c] = shape;
  const input = { name: graph.fresh(ONNX_INPUT), shape: [b, h, w, c] };
  const pre = options.preprocessing;
  let normalised = input.name;
  if (pre) {
    // (x / scale - mean) / std  ==  (x - scale * mean) / (scale * std), broadcast over the channel axis
    const offset = graph.floatInitializer('preprocess.mean', pre.mean.map((m) => m * pre.scale), [1, 1, 1, 3]);
    const divisor = graph.floatInitializer('preprocess.std', pre.std.map((s) => s * pre.scale), [1, 1, 1, 3]);
    const centred = graph.node('Sub', [input.name, offset.name], [b, h, w, c], {}, 'preprocess_sub');
    normalised = graph.node('Div', [centred.name, divisor.name], [b, h, w, c], {}, 'preprocess_div').name;
  }
  const nchw = graph.node('Transpose', [normalised], [b, c, h, w], { perm: [0, 3, 1, 2] }, 'to_nchw');
  const logits = model.toOnnx(graph, nchw);
  const [, k, oh, ow] = logits.shape;
  graph.fresh(ONNX_OUTPUT);
  const output = { name: ONNX_OUTPUT, shape: [b, oh, ow, k] };
  graph.nodeNamed('Transpose', [logits.name], output, { perm: [0, 2, 3, 1] });
  return graph.toModel(input, [output], {
    modelType: model.type, numClasses: String(model.numClasses), outputStride: String(model.outputStride),
    input_format: describeOnnxInput(pre),
    output_format: `float32 NHWC logits [${b}, ${oh}, ${ow}, ${k}] at 1/${model.outputStride} of the input; argmax over the last axis gives the class`,
  });
}

/** Writes the exported graph atomically. */
export function writeOnnx(model: SegmentationModel, file: string, options: OnnxExportOptions): void {
  writeFileAtomic(file, exportOnnx(model, options));
}
