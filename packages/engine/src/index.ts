export { tf } from './tf';
export { engineKernels, engineGradients } from './register_all_kernels';
export * from './backends';
export * from './testing';
export { runW1, W1Workload, type W1Options, type W1Result } from './w1';
