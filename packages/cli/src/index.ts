export { main } from './main';
export { createProgram } from './program';
export { createCliHost } from './cli-host';
export { checkedMatrix, runCompare, type CompareOptions, type CompareResult } from './compare/run-compare';
export { checkedRunConfig } from './commands/config';
export { writePluginSkeleton, type NewPluginOptions } from './scaffold/new-plugin';
export * as cliTesting from './testing/kill-points';
