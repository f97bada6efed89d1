import { tf } from './tf';
import { initEngine } from './backends';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

/** Workload W1 (defined in BENCHMARKS.md): a small fully convolutional segmenter trained with Adam. */
export interface W1Options {
  /** Backend to initialise first; omitted: the current one. */
  backend?: string;
  /** Timed steps (the median is reported). */
  steps?: number;
  /** Untimed steps first (kernel setup, allocator warm-up). */
  warmup?: number;
  batchSize?: number;
  imageSize?: number;
  numClasses?: number;
  learningRate?: number;
  seed?: number;
}

export interface W1Result {
  backend: string;
  /** Median time of one training step, ms. */
  msPerStep: number;
  steps: number;
  timesMs: number[];
  /**
   * Median process CPU time (user + system) per timed step, ms: on a machine shared with other
   * work, wall time inflates with the load while this stays near the uncontended wall time
   * (the wasm and cpu backends compute on one thread).
   */
  cpuMsPerStep: number;
  /** Loss of every step, warm-up included. */
  losses: number[];
}

interface ConvLayer {
  filter: tf.Variable;
  bias: tf.Variable;
  stride: number;
}

/**
 * The W1 network and its data: conv3x3 16 (stride 1), conv3x3 32 (stride 2), conv3x3 64 (stride 2),
 * each with ReLU, a 1x1 conv to the classes, bilinear upsampling to the input size, softmax cross
 * entropy (fused where the backend has the kernel, as PyTorch's cross_entropy is), Adam. Labels
 * are a learnable function of the image (brightness bands of channel 0), so the loss falls.
 */
export class W1Workload {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor4D;
  private readonly layers: ConvLayer[];
  private readonly head: ConvLayer;
  private readonly optimizer: tf.AdamOptimizer;

  constructor(options: W1Options = {}) {
    const { batchSize = 8, imageSize = 64, numClasses = 11, learningRate = 1e-2, seed = 1 } = options;
    // tidy frees the initial values; the variables keep their own reference to the data.
    const conv = (k: number, cin: number, cout: number, stride: number, s: number): ConvLayer =>
      tf.tidy(() => ({
        filter: tf.variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cin)), 'float32', seed + s)),
        bias: tf.variable(tf.zeros([cout])),
        stride,
      }));
    this.layers = [conv(3, 3, 16, 1, 1), conv(3, 16, 32, 2, 2), conv(3, 32, 64, 2, 3)];
    this.head = conv(1, 64, numClasses, 1, 4);
    this.optimizer = tf.train.adam(learningRate);
    [this.images, this.labels] = tf.tidy(() => {
      const images = tf.randomUniform([batchSize, imageSize, imageSize, 3], 0, 1, 'float32', seed + 5) as tf.Tensor4D;
      const smooth = tf.avgPool(images, 9, 1, 'same');
      const band = tf.clipByValue(tf.floor(tf.mul(tf.slice(smooth, [0, 0, 0, 0], [-1, -1, -1, 1]), numClasses * 2 - numClasses / 2)), 0, numClasses - 1);
      const labels = tf.oneHot(tf.cast(tf.squeeze(band, [3]), 'int32') as tf.Tensor3D, numClasses) as tf.Tensor4D;
      return [images, tf.cast(labels, 'float32') as tf.Tensor4D];
    });
  }

  logits(images: tf.Tensor4D): tf.Tensor4D {
    let h = images;
    for (const l of this.layers) h = tf.relu(tf.add(tf.conv2d(h, l.filter as tf.Tensor4D, l.stride, 'same'), l.bias));
    const small = tf.add(tf.conv2d(h, this.head.filter as tf.Tensor4D, 1, 'same'), this.head.bias) as tf.Tensor4D;
    return tf.image.resizeBilinear(small, [images.shape[1], images.shape[2]], false);
  }

  /** One Adam step; returns the loss before the update. */
  step(): number {
    const loss = this.optimizer.minimize(() => softmaxCrossEntropy(this.labels, this.logits(this.images)), true);
    const value = loss!.dataSync()[0];
    loss!.dispose();
    return value;
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const l of [...this.layers, this.head]) tf.dispose([l.filter, l.bias]);
    tf.dispose([this.images, this.labels]);
  }
}

/** Times W1 training steps on a backend; reports the median. */
export async function runW1(options: W1Options = {}): Promise<W1Result> {
  const { steps = 10, warmup = 3 } = options;
  if (!(steps >= 1)) throw new Error(`runW1: steps must be at least 1, got ${steps}`);
  if (options.backend) await initEngine({ backend: options.backend, verbose: false });
  const workload = new W1Workload(options);
  const losses: number[] = [];
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      losses.push(workload.step());
      if (i < warmup) continue;
      timesMs.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
  } finally {
    workload.dispose();
  }
  return { backend: tf.getBackend(), msPerStep: median(timesMs), steps, timesMs, cpuMsPerStep: median(cpuMs), losses };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
