import type { Command } from 'commander';
import { SssegError, type ConfigOverrideOptions } from '@ssseg/core';

/** The flags of a command that reads a run or compare config: `--set` (repeatable), `--seed`, `--threads`. */
export interface ConfigOverrideFlags {
  set?: string[];
  seed?: string;
  threads?: string;
}

/** Adds `--set`, `--seed` and `--threads` to a command that reads a config of this kind. */
export function withConfigOverrideOptions(command: Command, kind: 'run' | 'compare'): Command {
  const root = kind === 'run' ? '' : 'base.';
  return command
    .option(
      '--set <path=value>',
      `override one value of the config, as a YAML value; repeatable (--set ${root}train.lr=0.01 --set ${root}data.split=1_64)`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--seed <n>', kind === 'run' ? 'override train.seed' : 'train this seed only (seeds: [n])')
    .option('--threads <n>', `threads of the native backend (${root}engine.threads; default: SSSEG_NATIVE_THREADS, else the core count)`);
}

/** The overrides the flags ask for, checked. */
export function configOverrides(flags: ConfigOverrideFlags): ConfigOverrideOptions {
  return {
    set: flags.set,
    seed: flags.seed === undefined ? undefined : integer(flags.seed, '--seed', 0),
    threads: flags.threads === undefined ? undefined : integer(flags.threads, '--threads', 1),
  };
}

function integer(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new SssegError(`${flag} expects ${min === 0 ? 'a whole number of 0 or more' : 'a positive whole number'}, got '${text}'`);
  }
  return n;
}
