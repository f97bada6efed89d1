import { tf } from '../tf';
import type { WasmHeapBackend } from './float32-io';

/**
 * a[m, k] @ b[k, n] with the wasm backend's BatchMatMul (XNNPACK). Untransposed operands only:
 * that kernel is ~10x slower with transposeA. TensorInfos are views (dataId, shape); the kernel
 * reshapes them with its own reference counting, so any shape of the same size can be passed.
 */
export function wasmMatMul(backend: WasmHeapBackend, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!matMul) throw new Error('the wasm BatchMatMul kernel is not registered');
  return matMul.kernelFunc({
    inputs: { a: { dataId: a.dataId, shape: [m, k], dtype: 'float32' }, b: { dataId: b.dataId, shape: [k, n], dtype: 'float32' } },
    backend: backend as unknown as tf.KernelBackend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
}
