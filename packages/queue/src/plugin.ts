import { ContainerModule, injectable } from 'inversify';
import type { Command } from 'commander';
import { CommandContribution, CompareExecutor, contribute, definePlugin } from '@ssseg/core';
import { registerQueueCommands } from './commands';
import { QueuedCompare } from './queued-compare';

/** `ssseg worker` and `ssseg queue ...`, added to the CLI wherever this package is installed. */
@injectable()
export class QueueCommands implements CommandContribution {
  readonly type = 'queue';

  register(program: Command): void {
    registerQueueCommands(program);
  }
}

export const queuePlugin = definePlugin({
  from: __dirname,
  description: 'scale-out: the queue commands and compare --queue',
  module: new ContainerModule(({ bind }) => {
    contribute(bind, CommandContribution, QueueCommands);
    contribute(bind, CompareExecutor, QueuedCompare);
  }),
});
