import * as fs from 'fs';
import * as os from 'os';

/**
 * Memory the machine can give a process without swapping: MemAvailable of /proc/meminfo (free
 * memory plus the page cache and buffers the kernel can drop), else os.freemem().
 */
export function availableMemory(meminfo = '/proc/meminfo'): number {
  try {
    const match = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(meminfo, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return os.freemem();
}
