export { main } from './main';
export { createProgram } from './program';
export { createHost } from './host';
export { resolveRunConfig } from './run-config';
export { trainRun, RUN_FILES, type TrainRunOptions, type TrainRunResult } from './run/train-run';
export type { RunLoader, RunLoaderFactory } from './run/run-loader';
export { paramGroups } from './run/param-groups';
export { runCompare, type CompareOptions, type CompareResult } from './compare/run-compare';
export { runDataLoader } from './run/data-loader';
