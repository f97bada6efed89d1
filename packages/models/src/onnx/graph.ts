import { onnx } from 'onnx-proto';

/** A value in the graph being built: its name and static NCHW shape. */
export interface OnnxValue {
  name: string;
  shape: number[];
}

export type OnnxAttribute = number | number[] | string | { float: number };

export const ONNX_OPSET = 13;
/** IR version 7 goes with opset 13. */
const IR_VERSION = 7;

/**
 * Accumulates ONNX nodes and initializers with static shapes. Layers append their own nodes
 * (Layer.toOnnx), so the exported graph follows the module tree and keeps its weight names.
 */
export class OnnxGraph {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** A float32 initializer (weights, constants). */
  floatInitializer(name: string, values: Float32Array | number[], dims: number[]): OnnxValue {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: littleEndianBytes(data) });
    return { name: unique, shape: dims };
  }

  /** An int64 initializer (shapes, sizes). */
  int64Initializer(name: string, values: number[]): OnnxValue {
    const unique = this.fresh(name);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name: unique, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return { name: unique, shape: [values.length] };
  }

  /** Appends a node with one output of the given shape. An empty input name is an omitted optional input. */
  node(opType: string, inputs: string[], outputShape: number[], attributes: Record<string, OnnxAttribute> = {}, hint = opType): OnnxValue {
    const output = this.fresh(hint);
    this.nodes.push({
      opType,
      name: output,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return { name: output, shape: outputShape };
  }

  /** Appends a node writing a value whose name was reserved with `fresh` (graph outputs). */
  nodeNamed(opType: string, inputs: string[], output: OnnxValue, attributes: Record<string, OnnxAttribute> = {}): OnnxValue {
    this.nodes.push({
      opType,
      name: output.name,
      input: inputs,
      output: [output.name],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  toModel(input: { name: string; shape: number[] }, outputs: OnnxValue[], metadata: Record<string, string> = {}): Uint8Array {
    const valueInfo = (v: { name: string; shape: number[] }): onnx.IValueInfoProto => ({
      name: v.name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
    });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: '@ssseg/models',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: 'ssseg',
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input)],
        output: outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, value: OnnxAttribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.FLOAT, f: value.float };
}

function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** NHWC tf filter data [kh, kw, in, out] -> ONNX Conv weight [out, in, kh, kw]. */
export function convWeightToOnnx(values: Float32Array, [kh, kw, inC, outC]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < inC; c++)
        for (let o = 0; o < outC; o++) out[((o * inC + c) * kh + i) * kw + j] = values[((i * kw + j) * inC + c) * outC + o];
  return out;
}

/** ONNX Conv weight [out, in, kh, kw] -> tf filter [kh, kw, in, out]. */
export function convWeightFromOnnx(values: Float32Array, [outC, inC, kh, kw]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let o = 0; o < outC; o++)
    for (let c = 0; c < inC; c++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) out[((i * kw + j) * inC + c) * outC + o] = values[((o * inC + c) * kh + i) * kw + j];
  return out;
}
