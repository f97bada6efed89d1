import { tf } from '../tf';
import '../register-all-kernels';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { dilationAwareBackprop } from '../gradients/conv2d-grad';
import { loadNativeAddon } from './addon';
import { BufferPool } from './buffer-pool';
import { nativeKernels } from './kernels';
import { NATIVE_BACKEND } from './kernels/native-kernel';
import { kernelProfilingRequested, printKernelTimesAtExit, timedKernel } from './kernel-timer';

/**
 * The cpu backend's storage (tensors live in JS typed arrays, which the addon reads and writes in
 * place), with the hot kernels on oneDNN.
 */
export class NativeBackend extends MathBackendCPU {
  /** Freed outputs of native kernels, reused for the next output of the same length. */
  readonly pool = new BufferPool();
  /**
   * The buffers of native outputs that nothing outside the backend has seen: only these go back to
   * the pool when their tensor is freed. A buffer leaves this set when its values are read
   * (dataSync, data) or stored again under another tensor (a cpu kernel's view or alias of it).
   */
  private readonly unshared = new WeakSet<ArrayBufferLike>();

  constructor() {
    super();
    // MathBackendCPU prints 'install tfjs-node' on first use; the engine reports its own choice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * A tensor over a buffer from `pool.take`, which the backend may recycle once the tensor is freed.
   * An int32 one holds its values in that Float32Array, as the cpu backend's OneHot does.
   */
  adoptOutput(shape: number[], values: Float32Array, dtype: 'float32' | 'int32' = 'float32'): tf.TensorInfo {
    const info = this.makeTensorInfo(shape, dtype, values);
    this.unshared.add(values.buffer);
    return info;
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    this.disown(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.disown(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    this.disown(values);
    return values;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const freed = super.disposeData(dataId, force);
    if (values instanceof Float32Array && !this.data.has(dataId) && this.unshared.has(values.buffer)) {
      this.unshared.delete(values.buffer);
      this.pool.release(values);
    }
    return freed;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }

  private disown(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.unshared.delete(values.buffer);
  }
}

let registered = false;

/**
 * Registers the 'native' TensorFlow.js backend once: every kernel the cpu backend has (the engine's
 * own included, so register-all-kernels must have run), then the addon's over them. Throws, with
 * the reason, when the addon cannot be loaded. Returns the backend's name.
 */
export function registerNativeBackend(): string {
  loadNativeAddon();
  if (registered) return NATIVE_BACKEND;
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!tf.getKernel(config.kernelName, NATIVE_BACKEND)) tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
  for (const config of nativeKernels()) {
    if (tf.getKernel(config.kernelName, NATIVE_BACKEND)) tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
    tf.registerKernel(config);
  }
  if (kernelProfilingRequested()) {
    for (const config of tf.getKernelsForBackend(NATIVE_BACKEND)) {
      tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
      tf.registerKernel(timedKernel(config));
    }
    printKernelTimesAtExit();
  }
  dilationAwareBackprop.add(NATIVE_BACKEND);
  // Priority 0: TensorFlow.js never picks it by itself; initEngine does.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  registered = true;
  return NATIVE_BACKEND;
}
