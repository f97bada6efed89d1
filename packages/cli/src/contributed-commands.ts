import type { Command } from 'commander';
import { CommandContribution, SssegError } from '@ssseg/core';
import { createCliHost } from './cli-host';

/**
 * Adds the commands installed plugins contribute (the queue's `worker` and `queue ...`):
 * packages found as every command finds plugins, none of them named here. A plugin that does
 * not load is reported once and its commands are missing; the others work.
 */
export function registerContributedCommands(program: Command): void {
  let contributions: CommandContribution[];
  try {
    contributions = createCliHost().contributions(CommandContribution);
  } catch (error) {
    if (!(error instanceof SssegError)) throw error;
    process.stderr.write(`ssseg: warning: the commands of installed plugins are not available: ${error.message}\n`);
    return;
  }
  for (const contribution of contributions) contribution.register(program);
}
