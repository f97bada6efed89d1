import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { tf } from '@ssseg/engine';
import { SssegError } from '@ssseg/core';
import { RESNET_LAYOUT, type ResNetDepth } from '../backbones/resnet';
import { convWeightFromOnnx } from './graph';

export interface ImportBackboneOptions {
  backbone: 'resnet';
  depth: ResNetDepth;
  /** Prefix of the backbone's initializer names in the file (e.g. 'backbone.'), default none. */
  prefix?: string;
}

const BACKBONE_NAME = /^(conv1|bn1|layer[1-4])\./;

/**
 * Reads the weights of a torchvision-layout ResNet from an ONNX file (torch.onnx.export of
 * torchvision.models.resnetN, batch norm kept as its own node so the initializers carry the
 * state_dict names) into the `resnet` backbone's names and tf layouts: conv weights become
 * [kh, kw, in, out]. The result fits a ResNet with `stem: 'torchvision'`; load it with
 * loadBackboneWeights(model, weights). The caller disposes the returned tensors.
 */
export function importBackboneFromOnnx(file: string, options: ImportBackboneOptions): Map<string, tf.Tensor> {
  if (options.backbone !== 'resnet') throw new SssegError(`importBackboneFromOnnx: only 'resnet' backbones can be imported, got '${options.backbone}'`, file);
  const layout = RESNET_LAYOUT[options.depth];
  if (!layout) throw new SssegError(`importBackboneFromOnnx: depth must be 18, 34, 50 or 101, got ${options.depth}`, file);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(fs.readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SssegError(code ? `cannot read ONNX file: ${code}` : `not an ONNX model: ${(err as Error).message}`, file);
  }
  const prefix = options.prefix ?? '';
  const found = new Map<string, onnx.ITensorProto>();
  for (const init of model.graph?.initializer ?? []) {
    const name = init.name ?? '';
    if (name.startsWith(prefix) && BACKBONE_NAME.test(name.slice(prefix.length))) found.set(name.slice(prefix.length), init);
  }
  if (!found.has('conv1.weight')) {
    const sample = (model.graph?.initializer ?? []).slice(0, 3).map((t) => `'${t.name}'`).join(', ');
    throw new SssegError(
      `no initializer '${prefix}conv1.weight' (found ${sample || 'none'}): export with ` +
        'torch.onnx.export(net, x, file, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False) ' +
        'so batch norm is not folded into the convolutions and the state_dict names are kept',
      file,
    );
  }
  checkDepth(found, options.depth, file);
  const out = new Map<string, tf.Tensor>();
  for (const [name, init] of found) {
    const dims = (init.dims ?? []).map(Number);
    const values = floatValues(init, name, file);
    out.set(name, dims.length === 4 ? tf.tensor4d(convWeightFromOnnx(values, dims), [dims[2], dims[3], dims[1], dims[0]]) : tf.tensor(values, dims));
  }
  return out;
}

function checkDepth(found: Map<string, unknown>, depth: ResNetDepth, file: string): void {
  const layout = RESNET_LAYOUT[depth];
  const blocks = [1, 2, 3, 4].map((stage) => {
    let n = 0;
    while (found.has(`layer${stage}.${n}.conv1.weight`)) n++;
    return n;
  });
  const bottleneck = found.has('layer1.0.conv3.weight');
  if (blocks.join() !== layout.blocks.join() || bottleneck !== layout.bottleneck) {
    throw new SssegError(
      `the file holds a ResNet with blocks [${blocks}] (${bottleneck ? 'bottleneck' : 'basic'}), ResNet-${depth} has [${layout.blocks}] (${layout.bottleneck ? 'bottleneck' : 'basic'})`,
      file,
    );
  }
}

function floatValues(init: onnx.ITensorProto, name: string, file: string): Float32Array {
  if (init.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new SssegError(`initializer '${name}' has ONNX data type ${init.dataType}, expected float32 (1)`, file);
  }
  const size = (init.dims ?? []).map(Number).reduce((a, b) => a * b, 1);
  if (init.rawData && init.rawData.length) {
    if (init.rawData.length !== size * 4) throw new SssegError(`initializer '${name}' has ${init.rawData.length} bytes, expected ${size * 4}`, file);
    const view = new DataView(init.rawData.buffer, init.rawData.byteOffset, init.rawData.byteLength);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (init.floatData && init.floatData.length === size) return Float32Array.from(init.floatData);
  throw new SssegError(`initializer '${name}' has no data in the file (external data is not supported)`, file);
}
