import { createHash } from 'crypto';
import { onnx } from 'onnx-proto';
import { SssegError } from '@ssseg/core';
import { OnnxGraph } from '../onnx/graph';
import type { Backbone } from '../backbones/backbone';
import { SourceTensor } from './source-tensor';

/** An ONNX graph indexed for walking: producers, consumers and constant values by value name. */
export class IndexedGraph {
  readonly producer = new Map<string, onnx.INodeProto>();
  readonly consumers = new Map<string, onnx.INodeProto[]>();
  readonly constants = new Map<string, onnx.ITensorProto>();
  private readonly hashes = new Map<string, string>();

  constructor(readonly graph: onnx.IGraphProto, private readonly file: string) {
    for (const init of graph.initializer ?? []) this.constants.set(init.name ?? '', init);
    for (const node of graph.node ?? []) {
      for (const out of node.output ?? []) this.producer.set(out, node);
      for (const input of node.input ?? []) this.consumers.set(input, [...(this.consumers.get(input) ?? []), node]);
      if (node.opType === 'Constant') {
        const value = node.attribute?.find((a) => a.name === 'value')?.t;
        if (value) this.constants.set(node.output![0], value);
      }
    }
    // exporters share equal constants through Identity nodes
    for (const node of graph.node ?? []) {
      if (node.opType === 'Identity' && this.constants.has(node.input![0])) this.constants.set(node.output![0], this.constants.get(node.input![0])!);
    }
  }

  convs(): onnx.INodeProto[] {
    return (this.graph.node ?? []).filter((n) => n.opType === 'Conv');
  }

  constant(name: string, what: string): onnx.ITensorProto {
    const t = this.constants.get(name);
    if (!t) throw new SssegError(`${what} '${name}' is computed in the graph, not stored: ssseg reads stored weights only`, this.file);
    return t;
  }

  /**
   * What computes a value, independent of node order and names: a hash over the operators on every
   * path from the graph input, with convolutions known by their weight shape. Batch norm, Identity
   * and Dropout count as nothing, so a graph with batch norm folded into the convolutions and one
   * with it kept hash alike; strides, padding and dilation do not count (the weights do not depend
   * on them: a classification net and its dilated segmentation encoder match). Operators before the
   * first convolution count as the input.
   */
  hash(value: string): string {
    const known = this.hashes.get(value);
    if (known) return known;
    const node = this.producer.get(value);
    let h: string;
    if (!node || this.constants.has(value)) h = this.constants.has(value) ? 'constant' : 'input';
    else {
      const op = node.opType ?? '';
      const data = (node.input ?? []).filter((i) => i && !this.constants.has(i));
      if (op === 'Identity' || op === 'BatchNormalization' || op === 'Dropout') h = this.hash(node.input![0]);
      // what runs before the first convolution (a layout Transpose, input normalisation) is still the input
      else if (op !== 'Conv' && data.length && data.every((i) => this.hash(i) === 'input')) h = 'input';
      else if (op === 'Conv') h = digest(`Conv[${dims(this.constant(node.input![1], `the weight of convolution '${node.name}'`))}](${this.hash(node.input![0])})`);
      else if (op === 'Add' || op === 'Mul' || op === 'Sum') h = digest(`${op}(${data.map((i) => this.hash(i)).sort().join(',')})`);
      else h = digest(`${op}(${data.map((i) => this.hash(i)).join(',')})`);
    }
    this.hashes.set(value, h);
    return h;
  }

  /** The batch norm reading a convolution's output, when it is its only reader. */
  batchNormAfter(conv: onnx.INodeProto): onnx.INodeProto | undefined {
    const readers = this.consumers.get(conv.output![0]) ?? [];
    return readers.length === 1 && readers[0].opType === 'BatchNormalization' ? readers[0] : undefined;
  }
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function dims(t: onnx.ITensorProto): number[] {
  return (t.dims ?? []).map(Number);
}

export function floatValues(t: onnx.ITensorProto, file: string): Float32Array {
  const size = dims(t).reduce((a, b) => a * b, 1);
  const type = onnx.TensorProto.DataType;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new SssegError(`tensor '${t.name}' is stored outside the .onnx file (external data), which ssseg does not read`, file);
  if (t.dataType === type.FLOAT && t.rawData?.length) {
    if (t.rawData.length !== size * 4) throw new SssegError(`tensor '${t.name}' has ${t.rawData.length} bytes, expected ${size * 4}`, file);
    return new Float32Array(Uint8Array.from(t.rawData).buffer);
  }
  if (t.dataType === type.FLOAT && t.floatData?.length === size) return Float32Array.from(t.floatData);
  if (t.dataType === type.DOUBLE && t.rawData?.length === size * 8) return Float32Array.from(new Float64Array(Uint8Array.from(t.rawData).buffer));
  if (t.dataType === type.DOUBLE && t.doubleData?.length === size) return Float32Array.from(t.doubleData);
  throw new SssegError(`tensor '${t.name}' is not float32 or float64 with data in the file (ONNX type ${t.dataType})`, file);
}

export function decodeOnnx(bytes: Uint8Array, file: string): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new SssegError(`not an ONNX model: ${(err as Error).message}`, file);
  }
}

export interface OnnxBackboneWeights {
  /** ssseg (= PyTorch state dict) names -> values in PyTorch's layout. */
  tensors: Map<string, SourceTensor>;
  /** Batch norms that the export had folded into the preceding convolution. */
  folded: string[];
}

/**
 * The weights of `backbone` from an ONNX graph of the same network, however it was exported: each
 * convolution of the backbone's own graph is found in the file by what it computes (see
 * IndexedGraph.hash), never by name or node order. Where the export folded batch norm into the
 * convolution (torch.onnx.export's default), the convolution keeps the folded weight and its batch
 * norm becomes the identity plus the folded bias (scale 1, mean 0, variance 1 - eps): the same
 * function in eval mode.
 */
export function onnxBackboneWeights(model: onnx.ModelProto, backbone: Backbone, what: string, file: string): OnnxBackboneWeights {
  const imported = new IndexedGraph(model.graph ?? {}, file);
  const reference = new IndexedGraph(referenceGraph(backbone), '(ssseg reference graph)');
  const byHash = new Map<string, onnx.INodeProto[]>();
  for (const conv of imported.convs()) {
    const h = imported.hash(conv.output![0]);
    byHash.set(h, [...(byHash.get(h) ?? []), conv]);
  }
  const tensors = new Map<string, SourceTensor>();
  const folded: string[] = [];
  const set = (name: string, shape: number[], values: Float32Array) => tensors.set(name, SourceTensor.fromValues(shape, values));
  for (const refConv of reference.convs()) {
    const weightName = refConv.input![1];
    const layer = weightName.slice(0, -'.weight'.length);
    const matches = byHash.get(reference.hash(refConv.output![0])) ?? [];
    if (matches.length !== 1) {
      throw new SssegError(
        matches.length
          ? `${matches.length} convolutions of the graph compute what '${layer}' of ${what} does: cannot tell which holds its weights`
          : `no convolution of the graph computes what '${layer}' of ${what} does (weight [${dims(reference.constant(weightName, 'weight'))}] on the same inputs): the file holds another network`,
        file,
      );
    }
    const conv = matches[0];
    const w = imported.constant(conv.input![1], `the weight of '${conv.name}'`);
    set(weightName, dims(w), floatValues(w, file));
    const bias = conv.input![2] ? floatValues(imported.constant(conv.input![2], `the bias of '${conv.name}'`), file) : undefined;
    const refBn = reference.batchNormAfter(refConv);
    if (!refBn) {
      if (bias) set(refConv.input![2], [bias.length], bias);
      continue;
    }
    const bnName = refBn.input![1].slice(0, -'.weight'.length);
    const eps = epsilon(refBn);
    const channels = dims(w)[0];
    const bn = imported.batchNormAfter(conv);
    if (bn) {
      const [scale, shift, mean, variance] = bn.input!.slice(1, 5).map((n) => floatValues(imported.constant(n, `batch norm input of '${bn.name}'`), file));
      // a conv bias before the batch norm moves its mean; another epsilon moves its variance
      const epsDelta = epsilon(bn) - eps;
      set(`${bnName}.weight`, [channels], scale);
      set(`${bnName}.bias`, [channels], shift);
      set(`${bnName}.running_mean`, [channels], bias ? mean.map((m, i) => m - bias[i]) : mean);
      set(`${bnName}.running_var`, [channels], variance.map((v) => v + epsDelta));
    } else {
      folded.push(bnName);
      set(`${bnName}.weight`, [channels], new Float32Array(channels).fill(1));
      set(`${bnName}.bias`, [channels], bias ?? new Float32Array(channels));
      set(`${bnName}.running_mean`, [channels], new Float32Array(channels));
      set(`${bnName}.running_var`, [channels], new Float32Array(channels).fill(1 - eps));
    }
  }
  return { tensors, folded };
}

function epsilon(bn: onnx.INodeProto): number {
  return bn.attribute?.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
}

/** The backbone's own graph (ssseg's exporter keeps the state dict names), decoded for walking. */
function referenceGraph(backbone: Backbone): onnx.IGraphProto {
  const graph = new OnnxGraph();
  const input = { name: graph.fresh('image'), shape: [1, 3, 64, 64] };
  const { low, high } = backbone.toOnnx(graph, input, '');
  return onnx.ModelProto.decode(graph.toModel(input, [low, high])).graph!;
}
