import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRunConfig, parseRunConfig } from './load';

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
    expect(cfg.train.optimizer).toMatchObject({ type: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
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
    expect(() => loadRunConfig('/nonexistent/run.yaml')).toThrow(/\/nonexistent\/run\.yaml: cannot read config: ENOENT/);
  });
});
