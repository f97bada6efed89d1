import { tf } from '../tf';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The float32 values behind a tensor of the native backend, in place; undefined when they are not a Float32Array. */
export function floatValues(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** The native backend's recycling of output buffers (NativeBackend); absent on a plain cpu backend. */
interface RecyclingBackend {
  pool: { take(length: number): Float32Array; release(values: Float32Array): void };
  adoptOutput(shape: number[], values: Float32Array, dtype?: 'float32' | 'int32'): tf.TensorInfo;
}

function recycles(backend: MathBackendCPU): backend is MathBackendCPU & RecyclingBackend {
  return typeof (backend as Partial<RecyclingBackend>).adoptOutput === 'function';
}

/**
 * Takes an output buffer (recycled where the backend keeps freed ones: its contents are then
 * stale), lets `fill` overwrite all of it, and hands it to the backend without a copy.
 */
export function makeOutput(backend: MathBackendCPU, shape: number[], fill: (out: Float32Array) => void, dtype: 'float32' | 'int32' = 'float32'): tf.TensorInfo {
  const length = tf.util.sizeFromShape(shape);
  if (!recycles(backend)) {
    const out = new Float32Array(length);
    fill(out);
    return backend.makeTensorInfo(shape, dtype, out);
  }
  const out = backend.pool.take(length);
  try {
    fill(out);
  } catch (err) {
    backend.pool.release(out);
    throw err;
  }
  return backend.adoptOutput(shape, out, dtype);
}
