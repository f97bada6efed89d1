import * as fs from 'fs';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import { tf } from '@ssseg/engine';
import { SssegError } from '@ssseg/core';
import { ONNX_INPUT, ONNX_OUTPUT } from './export';

// onnxruntime-node loads a native addon: required on first use, so importing this package stays cheap.
type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;
function loadOrt(): Ort {
  ort ??= require('onnxruntime-node') as Ort;
  return ort;
}

/**
 * onnxruntime checks `instanceof Float32Array` against its own realm's constructor; under a
 * sandbox (jest's vm context) arrays made elsewhere fail it, so copy them into its realm's type.
 */
function inOrtRealm(data: Float32Array): Float32Array {
  const Ctor = new (loadOrt().Tensor)('float32', [0], [1]).data.constructor as Float32ArrayConstructor;
  return data instanceof Ctor ? data : new Ctor(data);
}

export interface OnnxPredictorOptions {
  /** Threads for onnxruntime's kernels (default: its own choice, all cores). */
  threads?: number;
}

export interface Prediction {
  /** [B, h, w] class indices (argmax over the logits). */
  labels: Int32Array;
  shape: [number, number, number];
}

/**
 * Inference on an exported model (exportOnnx's graph: 'image' NHWC in, 'logits' NHWC out)
 * with onnxruntime-node's CPU kernels.
 */
export class OnnxPredictor {
  private constructor(private readonly session: OrtSession, readonly inputShape: number[], readonly outputShape: number[]) {}

  /** From the bytes exportOnnx returned, or a .onnx file. */
  static async create(model: Uint8Array | string, options: OnnxPredictorOptions = {}): Promise<OnnxPredictor> {
    const { InferenceSession } = loadOrt();
    let bytes: Uint8Array;
    if (typeof model === 'string') {
      try {
        bytes = fs.readFileSync(model);
      } catch (err) {
        throw new SssegError(`cannot read ONNX model: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, model);
      }
    } else bytes = model;
    const session = await InferenceSession.create(bytes, {
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
      graphOptimizationLevel: 'all',
    });
    if (!session.inputNames.includes(ONNX_INPUT) || !session.outputNames.includes(ONNX_OUTPUT)) {
      await session.release();
      throw new SssegError(`not an ssseg export: expected input '${ONNX_INPUT}' and output '${ONNX_OUTPUT}', found ${session.inputNames} -> ${session.outputNames}`, typeof model === 'string' ? model : undefined);
    }
    const shapeOf = (meta: unknown) => ((meta as { shape?: (number | string)[] }).shape ?? []).map(Number);
    const inputShape = shapeOf(session.inputMetadata?.[0]);
    const outputShape = shapeOf(session.outputMetadata?.[0]);
    return new OnnxPredictor(session, inputShape, outputShape);
  }

  /** Logits [B, h, w, classes] for images [B, H, W, C] (a tensor or NHWC float data of the exported shape). */
  async logits(images: tf.Tensor4D | Float32Array): Promise<{ data: Float32Array; shape: number[] }> {
    const { Tensor } = loadOrt();
    const data = images instanceof Float32Array ? images : (images.dataSync() as Float32Array);
    if (!(images instanceof Float32Array) && images.shape.join(',') !== this.inputShape.join(',')) {
      throw new Error(`OnnxPredictor: images of shape [${images.shape}], the model was exported for [${this.inputShape}]`);
    }
    const expected = this.inputShape.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`OnnxPredictor: ${data.length} input values, the model was exported for [${this.inputShape}] (${expected})`);
    const result = await this.session.run({ [ONNX_INPUT]: new Tensor('float32', inOrtRealm(data), this.inputShape) });
    const out = result[ONNX_OUTPUT];
    return { data: out.data as Float32Array, shape: [...out.dims] };
  }

  /** Class-index maps [B, h, w]. */
  async predict(images: tf.Tensor4D | Float32Array): Promise<Prediction> {
    const { data, shape } = await this.logits(images);
    const [b, h, w, k] = shape;
    const labels = new Int32Array(b * h * w);
    for (let p = 0; p < labels.length; p++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (data[p * k + c] > data[p * k + best]) best = c;
      labels[p] = best;
    }
    return { labels, shape: [b, h, w] };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
