export { main } from './main';
export { createProgram } from './program';
export { createHost } from './host';
export { resolveRunConfig } from './run-config';
