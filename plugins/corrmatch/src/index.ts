import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { CorrMatch } from './corrmatch';

export { CorrMatch };
export { CorrelationHead } from './correlation-head';
export { DynamicThreshold } from './dynamic-threshold';
export { propagateLabels } from './region-propagation';
export { sampleRows, correlationRegions } from './correlation-regions';

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, CorrMatch)),
});
