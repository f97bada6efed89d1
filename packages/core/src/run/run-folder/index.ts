export * from './files';
export * from './done';
export * from './metrics';
export * from './gallery-index';
export * from './status';
export { LOCK_FILE } from '../../io/folder-lock';
