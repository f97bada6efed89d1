// Registers, on import, the kernels and gradients the stock tfjs backends lack or run slowly.
// The backends are imported first so that ours replace theirs, as tfjs's register_all_kernels does.
import { tf } from './tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterCpuConfig } from './kernels/conv2d-backprop-filter-cpu';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter-wasm';
import { conv2DBackpropInputCpuConfig } from './kernels/conv2d-backprop-input-cpu';
import { conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input-wasm';
import { makeConv2DCpuConfig } from './kernels/conv2d-cpu';
import { broadcastBinaryCpuConfigs } from './kernels/broadcast-binary-cpu';
import { splitVCpuConfig, tileCpuConfig } from './kernels/split-tile-cpu';
import { gatherV2CpuConfig, transposeCpuConfig } from './kernels/gather-transpose-cpu';
import { depthwiseConv2dNativeBackpropFilterConfigs } from './kernels/depthwise-conv2d-native-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfigs } from './kernels/depthwise-conv2d-native-backprop-input';
import { conv2DGradConfig, dilationAwareBackprop } from './gradients/conv2d-grad';
import { depthwiseConv2dNativeGradConfig } from './gradients/depthwise-conv2d-native-grad';
import { flipLeftRightGradConfig } from './gradients/flip-left-right-grad';
import { reluGradConfig } from './gradients/relu-grad';
import { batchNormTrainGradConfig } from './fused/batch-norm-training';
import { installReleasingBackprop } from './tape/releasing-backprop';

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
