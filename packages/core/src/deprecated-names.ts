import { SssegError } from './errors';
import type { SssegPlugin } from './plugin';

/** @deprecated the four-s spelling of SssegError; kept for plugins written against it. */
export const SsssegError = SssegError;
/** @deprecated the four-s spelling of SssegError. */
export type SsssegError = SssegError;
/** @deprecated the four-s spelling of SssegPlugin. */
export type SsssegPlugin = SssegPlugin;
