import { tf } from '../tf';
import '../register_all_kernels';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { dilationAwareBackprop } from '../gradients/Conv2D_grad';
import { loadNativeAddon } from './addon';
import { nativeKernels } from './kernels';
import { NATIVE_BACKEND } from './kernels/native_kernel';
import { kernelProfilingRequested, printKernelTimesAtExit, timedKernel } from './kernel_timer';

/**
 * The cpu backend's storage (tensors live in JS typed arrays, which the addon reads and writes in
 * place), with the hot kernels on oneDNN.
 */
export class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints 'install tfjs-node' on first use; the engine reports its own choice.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

let registered = false;

/**
 * Registers the 'native' TensorFlow.js backend once: every kernel the cpu backend has (the engine's
 * own included, so register_all_kernels must have run), then the addon's over them. Throws, with
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
