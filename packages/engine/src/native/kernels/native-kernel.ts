import { tf } from '../../tf';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon, type NativeAddon } from '../addon';
import { floatValues } from '../tensor-io';

export const NATIVE_BACKEND = 'native';

export interface NativeKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: MathBackendCPU;
  addon: NativeAddon;
}

/**
 * A kernel of the native backend: `run` computes on the addon, or returns undefined for a case it
 * does not take (NCHW, another dtype), which then runs the cpu backend's kernel of the same name.
 */
export function nativeKernel(kernelName: string, run: (args: NativeKernelArgs) => tf.TensorInfo | undefined): tf.KernelConfig {
  return {
    kernelName,
    backendName: NATIVE_BACKEND,
    kernelFunc: (args) => {
      const backend = args.backend as unknown as MathBackendCPU;
      const out = run({ inputs: args.inputs, attrs: args.attrs ?? {}, backend, addon: loadNativeAddon() });
      if (out) return out;
      const fallback = tf.getKernel(kernelName, 'cpu');
      if (!fallback) throw new Error(`${kernelName} (native): case not supported natively and no cpu kernel to fall back to`);
      return fallback.kernelFunc(args);
    },
  };
}

/** Float32 values of each named input, or an error naming the kernel and the input that is not float32 on this backend. */
export function floatInputs(kernel: string, backend: MathBackendCPU, inputs: tf.NamedTensorInfoMap, names: string[]): Float32Array[] {
  return names.map((name) => {
    const t = inputs[name];
    const values = t ? floatValues(backend, t) : undefined;
    if (!values) throw new Error(`${kernel}: input '${name}' must be a float32 tensor`);
    return values;
  });
}

/** A multi-output kernel of the native backend (no cpu fallback: the fused functions only call it where registered). */
export function nativeMultiKernel(kernelName: string, run: (backend: MathBackendCPU, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => tf.TensorInfo[]): tf.KernelConfig {
  return {
    kernelName,
    backendName: NATIVE_BACKEND,
    kernelFunc: ({ inputs, attrs, backend }) => run(backend as unknown as MathBackendCPU, inputs, attrs ?? {}),
  };
}
