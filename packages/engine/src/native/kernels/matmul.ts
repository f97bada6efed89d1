import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';

/**
 * BatchMatMul on oneDNN. Outer (batch) dimensions must match or be all 1 on one side; other
 * broadcasts take the cpu kernel.
 */
export const nativeMatMulKernel = (): tf.KernelConfig =>
  nativeKernel(tf.BatchMatMul, ({ inputs, attrs, backend, addon }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const av = floatValues(backend, a), bv = floatValues(backend, b);
    if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return undefined;
    const ra = a.shape.length, rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const k2 = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== k2) throw new Error(`BatchMatMul: inner dimensions ${k} and ${k2} differ (shapes ${a.shape} and ${b.shape})`);
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2)), batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    const batch = tf.util.sizeFromShape(outer);
    if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return undefined;
    const attrsOut = Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0]);
    return makeOutput(backend, [...outer, m, n], (out) => addon.matmul(av, bv, out, attrsOut));
  });
