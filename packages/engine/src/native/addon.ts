import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The functions of native/ (oneDNN addon). Arrays are read and written in place; outputs are overwritten. */
export interface NativeAddon {
  conv2d(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, attrs: Int32Array): void;
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, attrs: Int32Array): void;
  resizeBilinear(x: Float32Array, out: Float32Array, attrs: Int32Array): void;
  resizeBilinearGrad(dy: Float32Array, dx: Float32Array, attrs: Int32Array): void;
  softmax(x: Float32Array, out: Float32Array, rowLength: number): void;
  /** Per row of the last axis: rowLoss = sum labels * (logsumexp - x), probs = softmax(x). */
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, rowLoss: Float32Array, probs: Float32Array, rowLength: number): void;
  /** Unary map by op code; alpha is Step's value for x <= 0. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** Broadcasting binary map; layout = [rank, outShape..., aStrides..., bStrides...]. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, layout: Int32Array): void;
  /** Reduction; layout = [rank, shape..., 1 per reduced axis else 0]. */
  reduce(op: number, x: Float32Array, out: Float32Array, layout: Int32Array): void;
  /** Strided copy (Slice, Tile, SplitV); layout = [rank, outShape..., inShape..., begin...]. */
  gather(x: Float32Array, out: Float32Array, layout: Int32Array): void;
  /** FusedBatchNorm forward; each parameter holds 1 value or `channels` (the last axis). */
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array, scale: Float32Array, out: Float32Array, epsilon: number, channels: number): void;
  /** attrs = [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padLeft], as maxPoolGrad's. */
  maxPool(x: Float32Array, out: Float32Array, attrs: Int32Array): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, attrs: Int32Array): void;
  /** Batch-norm training forward: y, and the batch's per-channel mean and biased variance (channels = last axis). */
  batchNormTrain(x: Float32Array, scale: Float32Array, offset: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number, channels: number): void;
  /** Its backward pass; dMean and dVariance are the cotangents of the returned statistics. */
  batchNormTrainGrad(dy: Float32Array, x: Float32Array, scale: Float32Array, mean: Float32Array, variance: Float32Array, dMean: Float32Array, dVariance: Float32Array, dx: Float32Array, dScale: Float32Array, dOffset: Float32Array, epsilon: number, channels: number): void;
  /** scalars = [lr, momentum, weightDecay], flags = [nesterov, fresh]; the buffers are unused without momentum. */
  sgdUpdate(param: Float32Array, grad: Float32Array, buffer: Float32Array, paramOut: Float32Array, bufferOut: Float32Array, scalars: Float32Array, flags: Int32Array): void;
  /** scalars = [beta1, 1 - beta1, beta2, 1 - beta2, bias1, bias2, epsilon, lr, lr * weightDecay]. */
  adamUpdate(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, paramOut: Float32Array, mOut: Float32Array, vOut: Float32Array, scalars: Float32Array): void;
  /** IPixMatch's affinity KL of one image ([M, C] teacher and student): loss[0] and the student's gradient. */
  affinityKl(teacher: Float32Array, student: Float32Array, loss: Float32Array, grad: Float32Array, M: number, C: number, epsilon: number): void;
  /** Concatenation: out seen as [outer, sum of inners]; part k ([outer, inners[k]]) fills its columns of every row. */
  concat(parts: Float32Array[], inners: Int32Array, out: Float32Array, outer: number): void;
  setThreads(threads: number): void;
  getThreads(): number;
  version(): string;
}

const ADDON_FILE = path.join('native', 'build', 'Release', 'ssseg_native.node');

/** The engine package's root: the nearest folder above this file with @ssseg/engine's package.json (src/native under jest, dist when bundled). */
function packageRoot(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === '@ssseg/engine') return dir;
      } catch {
        // an unreadable manifest is not ours; keep walking up
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

let loaded: NativeAddon | undefined;
let failure: string | undefined;

/**
 * The addon, or an Error saying why it cannot be had: disabled by SSSEG_NATIVE_DISABLE=1, not built
 * (libdnnl-dev absent when the package was built), or the dlopen error.
 */
export function loadNativeAddon(): NativeAddon {
  if (process.env.SSSEG_NATIVE_DISABLE === '1') throw new Error('@ssseg/engine native addon disabled by SSSEG_NATIVE_DISABLE=1');
  if (loaded) return loaded;
  if (failure) throw new Error(failure);
  const root = packageRoot();
  const file = root ? path.join(root, ADDON_FILE) : undefined;
  if (!file || !fs.existsSync(file)) {
    failure = '@ssseg/engine native addon not built: libdnnl-dev not installed when the engine was built (install it, then npm run build)';
    throw new Error(failure);
  }
  // libgomp reads this when the addon loads it. Its default (spin, then sleep) made 2-thread W1 steps
  // 5-10x slower on a loaded 2-core machine, threads spinning at every barrier for a descheduled peer.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    // A variable path keeps bundlers from resolving the addon at build time.
    const addonPath: string = file;
    loaded = require(addonPath) as NativeAddon;
    return loaded;
  } catch (err) {
    failure = `@ssseg/engine native addon failed to load: ${(err as Error).message}`;
    throw new Error(failure);
  }
}

/** Why the addon cannot be loaded here, or undefined when it can. */
export function nativeUnavailableReason(): string | undefined {
  try {
    loadNativeAddon();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Threads the native kernels use by default: SSSEG_NATIVE_THREADS, else the core count. */
export function defaultNativeThreads(): number {
  const env = process.env.SSSEG_NATIVE_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`SSSEG_NATIVE_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Sets how many threads (OpenMP, hence oneDNN) the native kernels use. */
export function setNativeThreads(threads: number): void {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new Error(`setNativeThreads: threads must be a positive integer, got ${threads}`);
  loadNativeAddon().setThreads(threads);
}
