import { tf } from '../../tf';
import { nativeAffinityKlKernel } from './affinity-kl';
import { nativeBatchNormKernel } from './batch-norm';
import { nativeBatchNormTrainKernels } from './batch-norm-train';
import { nativeConvKernels } from './conv2d';
import { nativeElementwiseKernels } from './elementwise';
import { nativeGatherKernels } from './gather';
import { nativeLayoutKernels } from './layout';
import { nativeMaxPoolGradKernel, nativeMaxPoolKernel } from './max-pool';
import { nativeMatMulKernel } from './matmul';
import { nativeOptimizerKernels } from './optimizer';
import { nativeResizeBilinearKernels } from './resize-bilinear';
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
  ...nativeLayoutKernels(),
  nativeMaxPoolKernel(),
  nativeBatchNormKernel(),
  nativeMaxPoolGradKernel(),
  ...nativeBatchNormTrainKernels(),
  ...nativeOptimizerKernels(),
  nativeAffinityKlKernel(),
];
