import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { expectNoLeak, initEngine } from '@ssseg/engine';
import {
  ComponentOptions, ConfigError, ModelFactory, PluginHost, SegmentationModel, TinySegmentationModel, definePlugin, parseRunConfig, provide,
} from '@ssseg/core';
import { fixturesPlugin } from '@ssseg/core/testing';
import { assembleRun } from './assemble';

/** A model whose options have no seed: every network of it would start from the same weights. */
@injectable()
class UnseededModel extends TinySegmentationModel {
  // the base's static type is the literal 'tiny'; this one registers under its own name
  static override readonly type = 'unseeded' as 'tiny';
  static options = z.strictObject({ numClasses: z.number().int() });
  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof UnseededModel.options>) {
    super(opts);
  }
}

function host(): PluginHost {
  const h = new PluginHost();
  h.load(fixturesPlugin);
  h.load(definePlugin({ name: 'unseeded-model', version: '1.0.0', module: new ContainerModule(({ bind }) => provide(bind, SegmentationModel, UnseededModel)) }));
  return h;
}

const config = (model: Record<string, unknown>) => parseRunConfig({
  method: { type: 'plain-supervised' }, model, data: { type: 'stripes' }, train: { seed: 4 },
});

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

describe('ModelFactory', () => {
  it("builds another network of the run's model from another seed: same variables, other initial weights", async () => {
    await expectNoLeak(() => {
      const run = assembleRun(host(), config({ type: 'tiny', width: 4 }), 'test');
      const second = run.scope.get(ModelFactory)(1);
      const again = run.scope.get(ModelFactory)(1);
      const weights = (m: SegmentationModel) => Object.fromEntries([...m.getWeights()].map(([name, t]) => [name, Array.from(t.dataSync())]));
      expect(second).not.toBe(run.model);
      expect(Object.keys(weights(second))).toEqual(Object.keys(weights(run.model)));
      expect(weights(second)['encoder.weight']).not.toEqual(weights(run.model)['encoder.weight']);
      // seeded: the same offset gives the same weights, so a resumed run rebuilds the same network
      expect(weights(again)).toEqual(weights(second));
      expect(second.getWeights().get('encoder.weight')!.shape).toEqual(run.model.getWeights().get('encoder.weight')!.shape);
      for (const m of [run.model, second, again]) m.dispose();
    });
  });

  it("refuses a model type without a 'seed' option with a ConfigError naming model", async () => {
    await expectNoLeak(() => {
      const run = assembleRun(host(), config({ type: 'unseeded' }), 'test');
      const refusal = (() => {
        try {
          run.scope.get(ModelFactory)(1);
        } catch (err) {
          return err;
        }
      })();
      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as Error).message).toBe("test: model: model 'unseeded' has no 'seed' option, so a second network would start from the same weights as the first");
      run.model.dispose();
    });
  });
});
