import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';

const ONE = Float32Array.of(1);
const ZERO = Float32Array.of(0);

/** FusedBatchNorm with per-channel (last axis) or scalar parameters; other layouts take the cpu kernel. */
export const nativeBatchNormKernel = (): tf.KernelConfig =>
  nativeKernel(tf.FusedBatchNorm, ({ inputs, attrs, backend, addon }) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined>;
    if (!x || !mean || !variance || x.shape.length === 0 || tf.util.sizeFromShape(x.shape) === 0) return undefined;
    const xv = floatValues(backend, x), mv = floatValues(backend, mean), vv = floatValues(backend, variance);
    const ov = offset ? floatValues(backend, offset) : ZERO;
    const sv = scale ? floatValues(backend, scale) : ONE;
    if (!xv || !mv || !vv || !ov || !sv) return undefined;
    const channels = x.shape[x.shape.length - 1];
    if (![mv, vv, ov, sv].every((p) => p.length === 1 || p.length === channels)) return undefined;
    const epsilon = (attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001;
    return makeOutput(backend, x.shape, (out) => addon.batchNorm(xv, mv, vv, ov, sv, out, epsilon, channels));
  });
