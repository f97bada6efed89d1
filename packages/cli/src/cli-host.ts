import * as path from 'path';
import { createHost, type HostOptions } from '@ssseg/runner';

/** The runner's plugin host, searching the CLI's own install too (the plugins it ships with). */
export function createCliHost(options: Omit<HostOptions, 'installedWith'> = {}) {
  return createHost({ ...options, installedWith: path.resolve(__dirname, '..') });
}
