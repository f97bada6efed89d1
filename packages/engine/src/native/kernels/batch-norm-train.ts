import { tf } from '../../tf';
import { loadNativeAddon } from '../addon';
import { makeOutput } from '../tensor-io';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../../fused/kernel-names';
import { floatInputs, nativeMultiKernel } from './native-kernel';

/** Batch-norm training forward ([y, mean, variance]) and backward ([dx, dScale, dOffset]) on the addon. */
export const nativeBatchNormTrainKernels = (): tf.KernelConfig[] => [
  nativeMultiKernel(BATCH_NORM_TRAIN, (backend, inputs, attrs) => {
    const [xv, sv, ov] = floatInputs(BATCH_NORM_TRAIN, backend, inputs, ['x', 'scale', 'offset']);
    const { x } = inputs as { x: tf.TensorInfo };
    const channels = x.shape[x.shape.length - 1];
    const epsilon = attrs.epsilon as number;
    let mean!: Float32Array, variance!: Float32Array;
    const y = makeOutput(backend, x.shape, (out) => {
      mean = new Float32Array(channels);
      variance = new Float32Array(channels);
      loadNativeAddon().batchNormTrain(xv, sv, ov, out, mean, variance, epsilon, channels);
    });
    return [y, backend.makeTensorInfo([channels], 'float32', mean), backend.makeTensorInfo([channels], 'float32', variance)];
  }),
  nativeMultiKernel(BATCH_NORM_TRAIN_GRAD, (backend, inputs, attrs) => {
    const names = ['dy', 'x', 'scale', 'mean', 'variance', 'dMean', 'dVariance'];
    const [dyv, xv, sv, mv, vv, dmv, dvv] = floatInputs(BATCH_NORM_TRAIN_GRAD, backend, inputs, names);
    const { x } = inputs as { x: tf.TensorInfo };
    const channels = x.shape[x.shape.length - 1];
    let dScale!: Float32Array, dOffset!: Float32Array;
    const dx = makeOutput(backend, x.shape, (out) => {
      dScale = new Float32Array(channels);
      dOffset = new Float32Array(channels);
      loadNativeAddon().batchNormTrainGrad(dyv, xv, sv, mv, vv, dmv, dvv, out, dScale, dOffset, attrs.epsilon as number, channels);
    });
    return [dx, backend.makeTensorInfo([channels], 'float32', dScale), backend.makeTensorInfo([channels], 'float32', dOffset)];
  }),
];
