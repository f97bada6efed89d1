import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, Regularizer, PseudoLabeler, type UnsupervisedContext } from './tokens';
import { definePlugin, provide } from './plugin';
import { createPluginHost } from './container';
import { ConfigError, PluginError } from './errors';
import { parseRunConfig } from './config/load';

@injectable()
class ConstantRegularizer implements Regularizer {
  static options = z.object({ value: z.number().default(2), name: z.string().default('constant') });
  readonly type = 'constant';
  readonly name: string;
  readonly value: number;
  constructor(@inject(ComponentOptions) options: Record<string, unknown>) {
    this.value = options.value as number;
    this.name = options.name as string;
  }
  loss(_context: UnsupervisedContext): never {
    throw new Error('not used in this test');
  }
}

const testPlugin = definePlugin({
  name: 'test-plugin',
  version: '1.0.0',
  module: new ContainerModule(({ bind }) => provide(bind, Regularizer, 'constant', ConstantRegularizer)),
});

describe('PluginHost', () => {
  it('builds a component from a config by type, with validated options and defaults', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    const config = parseRunConfig({
      model: { type: 'unet' },
      data: { type: 'mnist-seg' },
      regularizers: [{ type: 'constant', value: 5 }, { type: 'constant' }],
    });
    const built = config.regularizers.map((r, i) => host.build(Regularizer, r, `regularizers[${i}]`) as ConstantRegularizer);
    expect(built.map((r) => r.value)).toEqual([5, 2]);
    expect(built[0]).not.toBe(built[1]);
    expect(host.typesOf(Regularizer)).toEqual(['constant']);
    expect(host.components(Regularizer)[0].plugin).toBe('test-plugin');
  });

  it('names the registry, the config path and the known types for an unknown type', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    let error: unknown;
    try {
      host.build(Regularizer, { type: 'constnt' }, 'regularizers[1]');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('regularizers[1].type');
    expect(message).toContain("unknown Regularizer type 'constnt'");
    expect(message).toContain('Known Regularizer types: constant');
    expect(message).toContain("Did you mean 'constant'");
  });

  it('rejects options that fail the component schema, naming the path', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    expect(() => host.build(Regularizer, { type: 'constant', value: 'high' }, 'regularizers[0]')).toThrow(
      /regularizers\[0\]\.value: .*number/,
    );
  });

  it('keeps extension points apart: a Regularizer type is not a PseudoLabeler type', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    expect(() => host.build(PseudoLabeler, { type: 'constant' }, 'method.pseudoLabeler')).toThrow(/unknown PseudoLabeler type/);
  });

  it('refuses two plugins registering the same type, naming both', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    const clash = definePlugin({
      name: 'other-plugin',
      version: '0.1.0',
      module: new ContainerModule(({ bind }) => provide(bind, Regularizer, 'constant', ConstantRegularizer)),
    });
    expect(() => host.load(clash)).toThrow(/registered by both test-plugin and other-plugin/);
    expect(host.typesOf(Regularizer)).toEqual(['constant']);
  });

  it('reports a missing plugin package and a plugin that throws while loading', () => {
    const host = createPluginHost();
    expect(() => host.loadByName('@nobody/ssseg-plugin-missing')).toThrow(PluginError);
    expect(() => host.loadByName('@nobody/ssseg-plugin-missing')).toThrow(/not installed/);
    const broken = definePlugin({
      name: 'broken-plugin',
      version: '0.0.1',
      module: new ContainerModule(() => {
        throw new Error('boom');
      }),
    });
    expect(() => host.load(broken)).toThrow(/plugin broken-plugin failed to load: boom/);
  });
});
