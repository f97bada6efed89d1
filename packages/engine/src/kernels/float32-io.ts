import { tf } from '../tf';

type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend;

/** The slice of tfjs-backend-wasm's BackendWasm a JS kernel needs to reach the WASM heap. */
export interface WasmHeapBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

/** The slice of tfjs-backend-cpu's MathBackendCPU a JS kernel needs. */
interface CpuDataBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

export function isWasmBackend(backend: Backend): backend is Backend & WasmHeapBackend {
  return typeof (backend as Partial<WasmHeapBackend>).typedArrayFromHeap === 'function';
}

function isCpuBackend(backend: Backend): backend is Backend & CpuDataBackend {
  return typeof (backend as Partial<CpuDataBackend>).makeTensorInfo === 'function' && 'data' in backend;
}

function assertFloat32(kernelName: string, inputs: TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`${kernelName}: expected float32 inputs, got ${t.dtype}`);
  }
}

/**
 * Runs a kernel body written over plain Float32Arrays on the cpu or wasm backend: hands `compute`
 * the inputs' values and a zeroed output array, and returns the output as the backend's tensor.
 *
 * On wasm the arrays are views into the WASM heap, so the output is allocated before any view is
 * taken (an allocation may grow the heap and detach earlier views) and `compute` must not allocate
 * backend memory.
 */
export function computeFloat32(
  kernelName: string,
  backend: Backend,
  inputs: TensorInfo[],
  outShape: number[],
  compute: (values: Float32Array[], out: Float32Array) => void,
): TensorInfo {
  assertFloat32(kernelName, inputs);
  if (isWasmBackend(backend)) {
    const out = backend.makeOutput(outShape, 'float32');
    const outValues = backend.typedArrayFromHeap(out) as Float32Array;
    outValues.fill(0);
    compute(inputs.map((t) => backend.typedArrayFromHeap(t) as Float32Array), outValues);
    return out;
  }
  if (isCpuBackend(backend)) {
    const outValues = new Float32Array(outShape.reduce((a, b) => a * b, 1));
    compute(inputs.map((t) => backend.data.get(t.dataId).values as Float32Array), outValues);
    return backend.makeTensorInfo(outShape, 'float32', outValues);
  }
  throw new Error(`${kernelName}: backend '${tf.getBackend()}' is neither cpu nor wasm`);
}
