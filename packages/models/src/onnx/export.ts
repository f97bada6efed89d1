import { writeFileAtomic, type SegmentationModel } from '@ssseg/core';
import { OnnxGraph } from './graph';
import { SegmentationModule } from '../segmentation-module';

export interface OnnxExportOptions {
  /** NHWC input shape the graph is built for, e.g. [1, 512, 512, 3] (shapes are static). */
  inputShape: [number, number, number, number];
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
  const nchw = graph.node('Transpose', [input.name], [b, c, h, w], { perm: [0, 3, 1, 2] }, 'to_nchw');
  const logits = model.toOnnx(graph, nchw);
  const [, k, oh, ow] = logits.shape;
  graph.fresh(ONNX_OUTPUT);
  const output = { name: ONNX_OUTPUT, shape: [b, oh, ow, k] };
  graph.nodeNamed('Transpose', [logits.name], output, { perm: [0, 2, 3, 1] });
  return graph.toModel(input, [output], { modelType: model.type, numClasses: String(model.numClasses), outputStride: String(model.outputStride) });
}

/** Writes the exported graph atomically. */
export function writeOnnx(model: SegmentationModel, file: string, options: OnnxExportOptions): void {
  writeFileAtomic(file, exportOnnx(model, options));
}
