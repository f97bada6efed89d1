import { tf, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { PluginHost, parseRunConfig, type RunConfigInput } from '@ssseg/core';
import { buildOptimization } from './optimization';
import { resolveRunConfig } from './run-config';
import { runnerPlugin } from './plugin';
import { fixturesPlugin } from '@ssseg/core/testing';

const host = () => {
  const h = new PluginHost();
  h.load(runnerPlugin);
  h.load(fixturesPlugin);
  return h;
};
const config = (train: RunConfigInput['train']) =>
  parseRunConfig({ method: { type: 'plain-supervised' }, model: { type: 'tiny' }, data: { type: 'stripes' }, train }, 'run.yaml');

describe('train.optimizer and train.lrSchedule, built by type', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('adam from the config takes its options: one AdamW step worked by hand', async () => {
    await expectNoLeak(() => {
      const { optimizer } = buildOptimization(host(), config({ optimizer: { type: 'adam', weightDecay: 0.1 } }), 'run.yaml');
      const w = tf.tidy(() => tf.variable(tf.tensor1d([1]), true, 'w'));
      const grads = new Map([['w', tf.tensor1d([2])]]);
      optimizer.apply([{ name: 'all', variables: new Map([['w', w]]), lrMultiplier: 1 }], grads, 0.1);
      // m = 0.2, v = 0.004; bias-corrected 2 and 4: the step is 0.1 * 2 / (2 + 1e-8), the decay 0.1 * 0.1 * 1
      expectArraysClose(w.dataSync(), [1 - 0.1 * (2 / (2 + 1e-8)) - 0.01], 1e-6);
      tf.dispose([w, ...grads.values()]);
      optimizer.dispose();
    });
  });

  it('sgd from the config takes its momentum: two steps worked by hand', async () => {
    await expectNoLeak(() => {
      const { optimizer } = buildOptimization(host(), config({ optimizer: { type: 'sgd', momentum: 0.5, weightDecay: 0 } }), 'run.yaml');
      const w = tf.tidy(() => tf.variable(tf.tensor1d([1]), true, 'w'));
      for (let i = 0; i < 2; i++) {
        const grads = new Map([['w', tf.tensor1d([1])]]);
        optimizer.apply([{ name: 'all', variables: new Map([['w', w]]), lrMultiplier: 1 }], grads, 0.1);
        tf.dispose([...grads.values()]);
      }
      // buffers 1 then 0.5 * 1 + 1 = 1.5
      expectArraysClose(w.dataSync(), [1 - 0.1 - 0.15], 1e-6);
      w.dispose();
      optimizer.dispose();
    });
  });

  it('poly takes train.lrPower; constant ignores it', () => {
    const poly = buildOptimization(host(), config({ lrSchedule: 'poly', lrPower: 0.5 }), 'run.yaml');
    expect(poly.schedule.rate(0.01, 75, 100)).toBeCloseTo(0.01 * Math.sqrt(0.25), 12);
    expect(poly.schedule.rate(0.01, 100, 100)).toBe(0);
    const constant = buildOptimization(host(), config({ lrSchedule: 'constant', lrPower: 0.5 }), 'run.yaml');
    expect(constant.schedule.rate(0.01, 75, 100)).toBe(0.01);
    poly.optimizer.dispose();
    constant.optimizer.dispose();
  });

  it('errors name the config path, the key meant and the known types', () => {
    const errorOf = (train: RunConfigInput['train']) => {
      try {
        buildOptimization(host(), config(train), 'run.yaml').optimizer.dispose();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(errorOf({ optimizer: { type: 'sgd', momentun: 0.9 } })).toContain("run.yaml: train.optimizer.momentun: unknown key; did you mean 'momentum'?");
    expect(errorOf({ optimizer: { type: 'rmsprop' } })).toMatch(/run\.yaml: train\.optimizer.*unknown Optimizer type 'rmsprop'\. Known Optimizer types: adam, sgd/);
    expect(errorOf({ lrSchedule: 'cosine' })).toMatch(/unknown LrSchedule type 'cosine'\. Known LrSchedule types: constant, poly/);
  });

  it('config.yaml of runs from before keeps loading: adam with the momentum every optimizer took then', () => {
    const old = config({ optimizer: { type: 'adam', momentum: 0.9, weightDecay: 0, headLrMultiplier: 1 } });
    const { optimizer } = buildOptimization(host(), old, 'config.yaml');
    expect(optimizer.type).toBe('adam');
    optimizer.dispose();
    // `config print` shows each optimizer's own options with their defaults
    expect(resolveRunConfig(host(), config({ optimizer: { type: 'sgd', headLrMultiplier: 10 } }), 'run.yaml').train.optimizer)
      .toEqual({ type: 'sgd', momentum: 0.9, weightDecay: 1e-4, headLrMultiplier: 10 });
  });
});
