import { ContainerModule } from 'inversify';
import { Hook, definePlugin, provide } from '@ssseg/core';
import { TensorBoardHook } from './tensorboard-hook';

export { EventFileWriter } from './event-file-writer';
export { TensorBoardHook };

/** The `tensorboard` hook a run config adds (`hooks: { tensorboard: { type: tensorboard } }`, or `ssseg train --tensorboard`). */
export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Hook, TensorBoardHook)),
});
