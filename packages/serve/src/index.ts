export { startServer, type ServeOptions, type RunningServer } from './server';
export { listRuns, type RunView } from './run-index';
export { ServedFolder } from './served-folder';
export { newToken } from './access';
