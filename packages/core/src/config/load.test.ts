import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRunConfig, parseRunConfig } from './load';
import { MAX_CONFIG_BYTES } from './read-limited';

function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-config-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('run config', () => {
  it('reads YAML, fills defaults and keeps component options', () => {
    const file = tempFile('run.yaml', [
      'method: { type: unimatch, confThreshold: 0.95 }',
      'regularizers:',
      '  - { type: ipixmatch, relation: affinity, distance: kl, weight: 1.0 }',
      'model: { type: deeplabv3plus, backbone: { type: resnet, depth: 18 } }',
      'data: { type: mnist-seg, split: 1_32 }',
      'train: { epochs: 3, lr: 0.01 }',
    ].join('\n'));
    const cfg = loadRunConfig(file);
    expect(cfg.method).toEqual({ type: 'unimatch', confThreshold: 0.95 });
    expect(cfg.regularizers[0]).toMatchObject({ type: 'ipixmatch', weight: 1 });
    expect(cfg.train).toMatchObject({ epochs: 3, lr: 0.01, batchSize: 8, seed: 1, lrSchedule: 'poly' });
    // the optimizer's own options (momentum, weightDecay) are validated by the optimizer when a run builds it
    expect(cfg.train.optimizer).toEqual({ type: 'sgd', headLrMultiplier: 1 });
    expect(cfg.plugins).toEqual([]);
    expect(cfg.engine.backend).toBe('auto');
  });

  it('reads JSON the same way', () => {
    const file = tempFile('run.json', JSON.stringify({ model: { type: 'unet' }, data: { type: 'mnist-seg' } }));
    expect(loadRunConfig(file).method).toEqual({ type: 'supervised' });
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const file = tempFile('bad.yaml', 'model: { type: unet\ndata: [\n');
    expect(() => loadRunConfig(file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: invalid YAML`));
  });

  it('names the config path and what was expected', () => {
    expect(() => parseRunConfig({ model: { type: 'unet' }, data: { type: 'mnist-seg' }, train: { lr: 'fast' } }, 'x.yaml'))
      .toThrow(/x\.yaml: invalid config:\n {2}train\.lr: .*number/);
    expect(() => parseRunConfig({ model: { type: 'unet' }, data: {} }, 'x.yaml')).toThrow(/data\.type/);
    expect(() => parseRunConfig({ model: { type: 'unet' }, data: { type: 'd' }, regularizers: [{ weight: 1 }] }))
      .toThrow(/regularizers\[0\]\.type/);
  });

  it('says when the file is missing', () => {
    expect(() => loadRunConfig('/nonexistent/run.yaml')).toThrow('/nonexistent/run.yaml: cannot read config: no such file (looked for /nonexistent/run.yaml)');
  });
});

describe('unknown keys in a run config', () => {
  const base = { model: { type: 'unet' }, data: { type: 'mnist-seg' } };
  const errorOf = (raw: Record<string, unknown>) => {
    try {
      parseRunConfig({ ...base, ...raw }, 'run.yaml');
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected the config to be refused');
  };

  it('are errors naming the file, the config path and the key meant', () => {
    expect(errorOf({ regularisers: [] })).toBe("run.yaml: invalid config:\n  regularisers: unknown key; did you mean 'regularizers'?");
    expect(errorOf({ train: { maxStep: 3 } })).toContain("  train.maxStep: unknown key; did you mean 'maxSteps'?");
    expect(errorOf({ engine: { thread: 2 } })).toContain("  engine.thread: unknown key; did you mean 'threads'?");
    expect(errorOf({ eval: { cropsize: 32 } })).toContain("  eval.cropsize: unknown key; did you mean 'cropSize'?");
    expect(errorOf({ augmentations: { weakk: [] } })).toContain("  augmentations.weakk: unknown key; did you mean 'weak'?");
  });

  it('list the known keys when none is close, one line per unknown key', () => {
    const message = errorOf({ engine: { gpu: true, flavour: 'x' } });
    expect(message).toContain('  engine.gpu: unknown key; known keys: backend, threads');
    expect(message).toContain('  engine.flavour: unknown key; known keys: backend, threads');
  });

  it('are reported through the file loader with the file name', () => {
    const file = tempFile('typo.yaml', 'model: { type: unet }\ndata: { type: mnist-seg }\ntrain: { maxStep: 3 }\n');
    expect(() => loadRunConfig(file)).toThrow(`${file}: invalid config:\n  train.maxStep: unknown key; did you mean 'maxSteps'?`);
  });

  it('leave component options to the component (they are checked against its own schema)', () => {
    expect(parseRunConfig({ ...base, model: { type: 'unet', anything: 1 } }).model).toEqual({ type: 'unet', anything: 1 });
  });
});

describe('config files that would cost time or memory', () => {
  it('refuses a file over the size limit without reading it, naming the file', () => {
    const file = tempFile('big.yaml', '');
    fs.truncateSync(file, 50 * 1024 * 1024);
    expect(() => loadRunConfig(file)).toThrow(`${file}: config is 50.0 MB, over the 1.0 MB limit for config files; is this the right file?`);
  });

  it('reads a config just under the limit', () => {
    const text = 'model: { type: unet }\ndata: { type: mnist-seg }\n';
    const file = tempFile('padded.yaml', text + '#'.repeat(MAX_CONFIG_BYTES - text.length - 1) + '\n');
    expect(fs.statSync(file).size).toBe(MAX_CONFIG_BYTES);
    expect(loadRunConfig(file).model).toEqual({ type: 'unet' });
  });

  it('refuses a YAML alias bomb with the file name', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const file = tempFile('bomb.yaml', lines.join('\n') + '\n');
    expect(() => loadRunConfig(file)).toThrow(`${file}: invalid YAML: Excessive alias count indicates a resource exhaustion attack`);
  });

  it('still expands a few aliases, as configs use them to share settings', () => {
    const file = tempFile('alias.yaml', 'model: &m { type: unet }\ndata: { type: mnist-seg }\nregularizers: [{ type: a, model: *m }]\n');
    expect(loadRunConfig(file).regularizers[0]).toEqual({ type: 'a', model: { type: 'unet' } });
  });
});
