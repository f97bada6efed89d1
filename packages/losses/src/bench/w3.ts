import { tf, initEngine } from '@ssseg/engine';
import { interPixelLoss, interPixelLossNaive, type InterPixelDistance, type InterPixelRelation } from '../inter-pixel/inter-pixel-loss';

/** Workload W3 (defined in BENCHMARKS.md): the IPixMatch term alone, forward + backward, on [B, M, C]. */
export interface W3Options {
  /** Backend to initialise first; omitted: the current one. */
  backend?: string;
  /** Pixels per image (each reshaped to the most square H x W); default 1024, 4096, 16384. */
  sizes?: number[];
  batchSize?: number;
  numClasses?: number;
  /** Timed runs per row (median reported); default 3. */
  repeats?: number;
  /** Untimed runs first; default 1. */
  warmup?: number;
  forms?: Array<[InterPixelRelation, InterPixelDistance]>;
  /** Also time the naive reference where it fits in `naiveMaxBytes` (default true). */
  naive?: boolean;
  /** Estimated tensor memory above which the naive path is skipped (default 3 GiB). */
  naiveMaxBytes?: number;
  chunkRows?: number;
  seed?: number;
  /** Called after each row (progress for long runs). */
  onRow?: (row: W3Row) => void;
}

export interface W3Row {
  relation: InterPixelRelation;
  distance: InterPixelDistance;
  path: 'fast' | 'naive';
  /** Kept pixels per image (every pixel: confThreshold 0). */
  M: number;
  H: number;
  W: number;
  /** Median ms of one forward + backward (gradient w.r.t. the student logits); null when skipped. */
  ms: number | null;
  /** Peak tensor memory above the inputs during forward + backward (tf.profile's peakBytes); null when skipped. */
  peakBytes: number | null;
  /** Loss value (fast and naive rows of a form agree). */
  loss: number | null;
  skipped?: string;
}

/** The most square H x W with H * W = M. */
function gridOf(M: number): [number, number] {
  let H = Math.floor(Math.sqrt(M));
  while (M % H) H--;
  return [H, M / H];
}

/**
 * Peak tensor bytes of the naive affinity form, forward + backward: measured at M = 1024 (B = 8,
 * wasm) as about 22 [M, M] float32 matrices per image, kept on the tape for all B images.
 */
function naiveAffinityBytes(B: number, M: number): number {
  return B * 22 * M * M * 4;
}

export async function runW3(options: W3Options = {}): Promise<W3Row[]> {
  const {
    sizes = [1024, 4096, 16384], batchSize: B = 8, numClasses: C = 21, repeats = 3, warmup = 1,
    naive = true, naiveMaxBytes = 3 * 2 ** 30, chunkRows = 1024, seed = 1,
    forms = [['affinity', 'kl'], ['affinity', 'correlation'], ['spatial', 'kl'], ['spatial', 'correlation']],
  } = options;
  if (options.backend) await initEngine({ backend: options.backend, verbose: false });
  const rows: W3Row[] = [];
  for (const M of sizes) {
    const [H, W] = gridOf(M);
    const teacher = tf.randomNormal([B, H, W, C], 0, 2, 'float32', seed) as tf.Tensor4D;
    const student = tf.randomNormal([B, H, W, C], 0, 2, 'float32', seed + 1) as tf.Tensor4D;
    for (const [relation, distance] of forms) {
      for (const path of naive ? (['fast', 'naive'] as const) : (['fast'] as const)) {
        const base: W3Row = { relation, distance, path, M, H, W, ms: null, peakBytes: null, loss: null };
        if (path === 'naive' && relation === 'affinity' && naiveAffinityBytes(B, M) > naiveMaxBytes) {
          base.skipped = `needs ~${(naiveAffinityBytes(B, M) / 2 ** 30).toFixed(1)} GiB of [M, M] intermediates (limit ${(naiveMaxBytes / 2 ** 30).toFixed(1)} GiB)`;
        } else {
          const loss = path === 'fast' ? interPixelLoss : interPixelLossNaive;
          const lossOptions = { relation, distance, confThreshold: 0, chunkRows };
          const step = () => {
            const r = tf.valueAndGrad((s: tf.Tensor) => loss(teacher, s as tf.Tensor4D, lossOptions))(student);
            const value = r.value.dataSync()[0];
            r.grad.dataSync();
            tf.dispose([r.value, r.grad]);
            return value;
          };
          for (let i = 0; i < warmup; i++) step();
          const times: number[] = [];
          for (let i = 0; i < repeats; i++) {
            const t0 = performance.now();
            base.loss = step();
            times.push(performance.now() - t0);
          }
          base.ms = median(times);
          const before = tf.memory().numBytes;
          const profile = await tf.profile(() => {
            step();
          });
          base.peakBytes = profile.peakBytes - before;
        }
        rows.push(base);
        options.onRow?.(base);
      }
    }
    tf.dispose([teacher, student]);
  }
  return rows;
}

/** W3 rows as a markdown table. */
export function formatW3(rows: W3Row[]): string {
  const mb = (b: number | null) => (b === null ? '-' : (b / 2 ** 20).toFixed(1));
  const lines = ['| relation | distance | M (H x W) | path | ms (fwd+bwd) | peak MiB | loss |', '| --- | --- | --- | --- | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(`| ${r.relation} | ${r.distance} | ${r.M} (${r.H}x${r.W}) | ${r.path} | ${r.ms === null ? `skipped: ${r.skipped}` : r.ms.toFixed(1)} | ${mb(r.peakBytes)} | ${r.loss === null ? '-' : r.loss.toPrecision(6)} |`);
  }
  return lines.join('\n');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
