import { initEngine, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from '../deeplabv3plus';
import { exportOnnx } from '../onnx/export';
import { OnnxPredictor } from '../onnx/predictor';

export interface W4Options {
  /** tfjs backend ('wasm', 'cpu', ... or 'auto'); default 'auto'. */
  backend?: string;
  /** Timed runs per engine (the median is reported); default 5. */
  runs?: number;
  batch?: number;
  size?: number;
  /** onnxruntime intra-op threads; default: onnxruntime's choice (all cores). */
  threads?: number;
}

export interface W4Result {
  workload: 'W4';
  model: string;
  input: number[];
  backend: string;
  /** Milliseconds per batch, median of `runs`, after one warm-up run. */
  tfjsMs: number;
  onnxruntimeMs: number;
  tfjsRunsMs: number[];
  onnxruntimeRunsMs: number[];
  /** Export of the graph and session creation, once. */
  exportMs: number;
  sessionMs: number;
  /** Largest |difference| between the two engines' logits, and the largest |logit|. */
  maxAbsDiff: number;
  maxAbsLogit: number;
  threads: number | 'default';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * W4 (defined in BENCHMARKS.md): inference of the W2 model (DeepLabV3+ ResNet-18 in UniMatch's layout, output
 * stride 16, 21 classes, eval mode) on 8 images of 256x256: tfjs on the chosen backend against
 * onnxruntime-node on the exported graph. Random weights: speed does not depend on their values.
 */
export async function runW4(options: W4Options = {}): Promise<W4Result> {
  const { backend } = await initEngine({ backend: options.backend ?? 'auto', verbose: false });
  const runs = options.runs ?? 5, batch = options.batch ?? 8, size = options.size ?? 256;
  const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 21, outputStride: 16, backbone: { type: 'resnet', depth: 18 } }));
  const rng = Rng.fromSeed('w4');
  const input = Float32Array.from({ length: batch * size * size * 3 }, () => rng.uniform(-1, 1));
  const x = tf.tensor4d(input, [batch, size, size, 3]);
  try {
    const tfjsRun = () => {
      const { logits, features } = model.forward(x, { training: false });
      const data = logits.dataSync() as Float32Array; // waits for the backend
      tf.dispose([logits, features!]);
      return data;
    };
    const tfjsLogits = tfjsRun();
    const tfjsRunsMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      tfjsRun();
      tfjsRunsMs.push(performance.now() - t);
    }

    let t = performance.now();
    const bytes = exportOnnx(model, { inputShape: [batch, size, size, 3] });
    const exportMs = performance.now() - t;
    t = performance.now();
    const predictor = await OnnxPredictor.create(bytes, { threads: options.threads });
    const sessionMs = performance.now() - t;
    const ortLogits = (await predictor.logits(input)).data;
    const onnxruntimeRunsMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      await predictor.logits(input);
      onnxruntimeRunsMs.push(performance.now() - t);
    }
    await predictor.release();

    let maxAbsDiff = 0, maxAbsLogit = 0;
    for (let i = 0; i < tfjsLogits.length; i++) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(tfjsLogits[i] - ortLogits[i]));
      maxAbsLogit = Math.max(maxAbsLogit, Math.abs(tfjsLogits[i]));
    }
    return {
      workload: 'W4',
      model: 'deeplabv3plus resnet18 (deep stem) os16, 21 classes, eval',
      input: [batch, size, size, 3],
      backend,
      tfjsMs: median(tfjsRunsMs),
      onnxruntimeMs: median(onnxruntimeRunsMs),
      tfjsRunsMs,
      onnxruntimeRunsMs,
      exportMs,
      sessionMs,
      maxAbsDiff,
      maxAbsLogit,
      threads: options.threads ?? 'default',
    };
  } finally {
    x.dispose();
    model.dispose();
  }
}
