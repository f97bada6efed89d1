import { initEngine, tf } from '@ssseg/engine';
import { convFlopsOf, gflopsPerSecond } from './conv-flops';
import { median } from './record';
import { WARMUP_STEPS } from './warmup';

/** A forward 2-D convolution, stride 1, 'same' padding, NHWC. */
export interface ConvShape {
  batch: number;
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
}

/**
 * The machine's measured peak: a convolution large enough that the engine's conv kernel runs at
 * its best, against which the workloads' convolution GFLOP/s are read.
 */
export const PEAK_CONV: ConvShape = { batch: 8, size: 32, inChannels: 256, outChannels: 256, kernel: 3 };

export const describeConv = (c: ConvShape) => `conv ${c.kernel}x${c.kernel}, ${c.inChannels} -> ${c.outChannels}, ${c.size}x${c.size}, B = ${c.batch}`;

export interface PeakOptions {
  /** Backend to initialise first; omitted: the current one. */
  backend?: string;
  /** Timed repeats (the median is reported); default 5. */
  steps?: number;
  /** Untimed repeats first (at least one, whose conv call is counted); default WARMUP_STEPS. */
  warmup?: number;
  conv?: ConvShape;
}

export interface PeakResult {
  backend: string;
  conv: ConvShape;
  /** FLOPs of one convolution, counted from the conv call of the first warm-up repeat. */
  flops: number;
  msPerStep: number;
  gflops: number;
  timesMs: number[];
  steps: number;
}

/** Times the forward convolution on a backend: medians of `steps` repeats after `warmup`. */
export async function runPeak(options: PeakOptions = {}): Promise<PeakResult> {
  const { steps = 5, warmup = WARMUP_STEPS, conv = PEAK_CONV } = options;
  if (!(steps >= 1)) throw new Error(`runPeak: steps must be at least 1, got ${steps}`);
  if (options.backend) await initEngine({ backend: options.backend, verbose: false });
  const x = tf.randomNormal([conv.batch, conv.size, conv.size, conv.inChannels], 0, 1, 'float32', 1) as tf.Tensor4D;
  const filter = tf.randomNormal([conv.kernel, conv.kernel, conv.inChannels, conv.outChannels], 0, 0.05, 'float32', 2) as tf.Tensor4D;
  // reading one element waits for the result (queued work on some backends) without copying it out
  const repeat = () => tf.tidy(() => tf.slice(tf.conv2d(x, filter, 1, 'same'), [0, 0, 0, 0], [1, 1, 1, 1]).dataSync());
  const timesMs: number[] = [];
  let flops: number;
  try {
    // the first warm-up repeat, counted (run even without warm-up, untimed)
    flops = await convFlopsOf(repeat);
    for (let i = 1; i < warmup; i++) repeat();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      repeat();
      timesMs.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, filter]);
  }
  const msPerStep = median(timesMs);
  return { backend: tf.getBackend(), conv, flops, msPerStep, gflops: gflopsPerSecond(flops, msPerStep), timesMs, steps };
}
