export { tf } from './tf';
export { engineKernels, engineGradients } from './register_all_kernels';
export * from './backends';
export * from './testing';
export { softmaxCrossEntropy } from './softmax_cross_entropy';
export { runW1, W1Workload, type W1Options, type W1Result } from './w1';
export { setNativeThreads, defaultNativeThreads, nativeUnavailableReason } from './native/addon';
export { profileKernels, formatKernelProfile, type KernelProfile, type KernelShare } from './profile/kernel_profile';
