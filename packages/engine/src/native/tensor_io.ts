import { tf } from '../tf';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The float32 values behind a tensor of the native backend, in place; undefined when they are not a Float32Array. */
export function floatValues(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** Allocates an output, lets `fill` write it, and hands it to the backend without a copy. */
export function makeOutput(backend: MathBackendCPU, shape: number[], fill: (out: Float32Array) => void): tf.TensorInfo {
  const out = new Float32Array(tf.util.sizeFromShape(shape));
  fill(out);
  return backend.makeTensorInfo(shape, 'float32', out);
}
