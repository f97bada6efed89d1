// Registers, on import, the kernels and gradients the stock tfjs backends lack or run slowly.
// The backends are imported first so that ours replace theirs, as tfjs's register_all_kernels does.
import { tf } from './tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterCpuConfig } from './kernels/Conv2DBackpropFilter_cpu';
import { conv2DBackpropFilterWasmConfig } from './kernels/Conv2DBackpropFilter_wasm';
import { conv2DBackpropInputCpuConfig } from './kernels/Conv2DBackpropInput_cpu';
import { conv2DBackpropInputWasmConfig } from './kernels/Conv2DBackpropInput_wasm';
import { makeConv2DCpuConfig } from './kernels/Conv2D_cpu';
import { broadcastBinaryCpuConfigs } from './kernels/broadcast_binary_cpu';
import { splitVCpuConfig, tileCpuConfig } from './kernels/split_tile_cpu';
import { gatherV2CpuConfig, transposeCpuConfig } from './kernels/gather_transpose_cpu';
import { depthwiseConv2dNativeBackpropFilterConfigs } from './kernels/DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfigs } from './kernels/DepthwiseConv2dNativeBackpropInput';
import { conv2DGradConfig, dilationAwareBackprop } from './gradients/Conv2D_grad';
import { depthwiseConv2dNativeGradConfig } from './gradients/DepthwiseConv2dNative_grad';
import { flipLeftRightGradConfig } from './gradients/FlipLeftRight_grad';
import { reluGradConfig } from './gradients/Relu_grad';
import { batchNormTrainGradConfig } from './fused/batch_norm_training';
import { installReleasingBackprop } from './tape/releasing_backprop';

export const engineKernels: tf.KernelConfig[] = [
  conv2DBackpropFilterCpuConfig,
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputCpuConfig,
  conv2DBackpropInputWasmConfig,
  makeConv2DCpuConfig(tf.getKernel(tf.Conv2D, 'cpu')),
  ...depthwiseConv2dNativeBackpropFilterConfigs,
  ...depthwiseConv2dNativeBackpropInputConfigs,
  ...broadcastBinaryCpuConfigs(),
  splitVCpuConfig(),
  tileCpuConfig(),
  gatherV2CpuConfig(),
  transposeCpuConfig(),
];

export const engineGradients: tf.GradConfig[] = [conv2DGradConfig, depthwiseConv2dNativeGradConfig, flipLeftRightGradConfig, batchNormTrainGradConfig, reluGradConfig];

export function registerEngineKernels(): void {
  for (const config of engineKernels) {
    if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
  }
  for (const backend of ['cpu', 'wasm']) {
    const ours = (name: string) => engineKernels.some((k) => k.kernelName === name && k.backendName === backend);
    if (ours(tf.Conv2DBackpropInput) && ours(tf.Conv2DBackpropFilter)) dilationAwareBackprop.add(backend);
  }
  for (const config of engineGradients) tf.registerGradient(config);
}

registerEngineKernels();
installReleasingBackprop();
