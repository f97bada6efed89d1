import { tf } from '../../tf';
import { loadNativeAddon } from '../addon';
import { makeOutput } from '../tensor-io';
import { ADAM_UPDATE, SGD_UPDATE } from '../../fused/kernel-names';
import { floatInputs, nativeMultiKernel } from './native-kernel';

const EMPTY = new Float32Array(0);

/** One pass per parameter for SGD ([param'] or [param', momentum buffer']) and Adam ([param', m', v']). */
export const nativeOptimizerKernels = (): tf.KernelConfig[] => [
  nativeMultiKernel(SGD_UPDATE, (backend, inputs, attrs) => {
    const { lr, momentum, weightDecay, nesterov } = attrs as { lr: number; momentum: number; weightDecay: number; nesterov: boolean };
    const fresh = inputs.buffer === undefined;
    const [pv, gv] = floatInputs(SGD_UPDATE, backend, inputs, ['param', 'grad']);
    const bv = fresh ? EMPTY : floatInputs(SGD_UPDATE, backend, inputs, ['buffer'])[0];
    const { param } = inputs as { param: tf.TensorInfo };
    const scalars = Float32Array.of(lr, momentum, weightDecay);
    const flags = Int32Array.of(nesterov ? 1 : 0, fresh ? 1 : 0);
    let bufferOut: tf.TensorInfo | undefined;
    const paramOut = makeOutput(backend, param.shape, (pOut) => {
      if (!momentum) return loadNativeAddon().sgdUpdate(pv, gv, EMPTY, pOut, EMPTY, scalars, flags);
      bufferOut = makeOutput(backend, param.shape, (bOut) => loadNativeAddon().sgdUpdate(pv, gv, bv, pOut, bOut, scalars, flags));
    });
    return bufferOut ? [paramOut, bufferOut] : [paramOut];
  }),
  nativeMultiKernel(ADAM_UPDATE, (backend, inputs, attrs) => {
    const [pv, gv, mv, vv] = floatInputs(ADAM_UPDATE, backend, inputs, ['param', 'grad', 'm', 'v']);
    const { param } = inputs as { param: tf.TensorInfo };
    const scalars = Float32Array.from(attrs.scalars as number[]);
    let mOut!: tf.TensorInfo, vOut!: tf.TensorInfo;
    const paramOut = makeOutput(backend, param.shape, (pOut) => {
      mOut = makeOutput(backend, param.shape, (mo) => {
        vOut = makeOutput(backend, param.shape, (vo) => loadNativeAddon().adamUpdate(pv, gv, mv, vv, pOut, mo, vo, scalars));
      });
    });
    return [paramOut, mOut, vOut];
  }),
];
