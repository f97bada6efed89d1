import { ConfigError } from '@ssseg/core';

/** A split giving fewer labelled images than this still trains, with a warning: so few say little about a method. */
export const FEW_LABELLED_IMAGES = 4;

const warned = new Set<string>();

/** Prints a warning on stderr once per process (a run's dataset is built more than once: the memory check, then the run). */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * The labelled images a fraction of a pool gives, rounded: an error naming `where` and the counts
 * when that is fewer than one image, a warning when fewer than FEW_LABELLED_IMAGES.
 */
export function labelledCountOf(pool: number, fraction: number, where: string, name: string, warn: (message: string) => void = warnOnce): number {
  const exact = pool * fraction;
  const count = Math.round(exact);
  if (count < 1) {
    throw new ConfigError(`split ${name} of ${pool} images gives ${Number(exact.toPrecision(3))} labelled images, fewer than one: use a fraction of at least 1/${pool} or a larger set`, where);
  }
  if (count < FEW_LABELLED_IMAGES) {
    warn(`${where}: split ${name} of ${pool} images gives only ${count} labelled image${count === 1 ? '' : 's'} (fewer than ${FEW_LABELLED_IMAGES}): results will say little about a method`);
  }
  return count;
}
