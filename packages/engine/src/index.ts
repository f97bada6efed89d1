export { tf } from './tf';
export * from './backends';
export * from './testing';
