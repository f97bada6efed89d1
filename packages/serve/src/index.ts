export { startServer, type ServeOptions, type RunningServer } from './server';
export { listRuns, type RunView } from './run-index';
