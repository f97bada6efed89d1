import { tf } from '../../tf';
import { nativeBatchNormKernel } from './batch_norm';
import { nativeConvKernels } from './conv2d';
import { nativeElementwiseKernels } from './elementwise';
import { nativeGatherKernels } from './gather';
import { nativeMaxPoolGradKernel, nativeMaxPoolKernel } from './max_pool';
import { nativeMatMulKernel } from './matmul';
import { nativeResizeBilinearKernels } from './resize_bilinear';
import { nativeSoftmaxCrossEntropyKernel, nativeSoftmaxKernel } from './softmax';

/** The kernels the native backend runs on the addon; every other kernel is the cpu backend's. */
export const nativeKernels = (): tf.KernelConfig[] => [
  ...nativeConvKernels(),
  nativeMatMulKernel(),
  ...nativeResizeBilinearKernels(),
  nativeSoftmaxKernel(),
  nativeSoftmaxCrossEntropyKernel(),
  ...nativeElementwiseKernels(),
  ...nativeGatherKernels(),
  nativeMaxPoolKernel(),
  nativeBatchNormKernel(),
  nativeMaxPoolGradKernel(),
];
