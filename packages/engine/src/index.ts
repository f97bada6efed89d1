export { tf } from './tf';
import './register_all_kernels';
export { engineKernels, engineGradients } from './register_all_kernels';
export * from './backends';
export * from './testing';
