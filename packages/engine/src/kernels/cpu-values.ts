import { tf } from '../tf';

// What the cpu kernels that move data (split, tile, gather, transpose) need of tfjs-backend-cpu:
// a tensor's values as a typed array of any numeric dtype, and a way to wrap new ones.

export type Values = Float32Array | Int32Array | Uint8Array;
export type ArrayCtor = { new (length: number): Values };

export interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}

export const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The tensor's values, or undefined for dtypes stored otherwise (string, complex). */
export function typedValues(backend: CpuBackend, x: tf.TensorInfo): Values | undefined {
  const values = backend.data.get(x.dataId).values;
  return values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array ? values : undefined;
}

/**
 * A cpu kernel config that runs `fast` on the inputs' typed values and hands every case `fast`
 * declines (returns undefined for) to tfjs's own cpu kernel of the same name.
 */
export function cpuKernelWithStockFallback(
  kernelName: string,
  fast: (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: CpuBackend }) => tf.TensorInfo | tf.TensorInfo[] | undefined,
): tf.KernelConfig {
  const stock = tf.getKernel(kernelName, 'cpu')!;
  return {
    kernelName,
    backendName: 'cpu',
    kernelFunc: (args) => fast({ inputs: args.inputs, attrs: args.attrs ?? {}, backend: args.backend as unknown as CpuBackend }) ?? stock.kernelFunc(args),
  };
}
