import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '@ssseg/core';
import { loadCompareConfig, parseCompareConfig } from './compare-config';
import { expandMatrix } from './matrix';
import { readMatrixIndex, writeMatrixIndex } from './matrix-index';

const compareYaml = [
  'name: ipixmatch on mnist',
  'base:',
  '  model: { type: tiny }',
  '  data: { type: mnist-seg, split: 1_16, cropSize: 64 }',
  '  train: { epochs: 2, batchSize: 4, seed: 7 }',
  'methods:',
  '  - { type: supervised }',
  '  - { type: fixmatch, confThreshold: 0.95 }',
  '  - { type: unimatch }',
  'variants:',
  '  none: []',
  '  kl: [{ type: ipixmatch, distance: kl, weight: 0.3 }]',
  '  correlation: [{ type: ipixmatch, distance: correlation, weight: 0.3 }]',
  'splits: [1_64, 1_32]',
  'seeds: [1, 2, 3]',
].join('\n');

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-compare-')), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('comparison matrix', () => {
  const matrix = expandMatrix(loadCompareConfig(tempFile('compare.yaml', compareYaml)));

  it('runs every method x variant x split x seed, without regularizers on supervised', () => {
    // supervised: none only (1 variant); fixmatch and unimatch: 3 variants; 2 splits x 3 seeds each
    expect(matrix.runs).toHaveLength((1 + 3 + 3) * 2 * 3);
    expect(matrix.skipped).toEqual([
      { method: 'supervised', variant: 'kl', reason: expect.stringMatching(/no unlabelled term/) },
      { method: 'supervised', variant: 'correlation', reason: expect.stringMatching(/no unlabelled term/) },
    ]);
    expect(matrix.runs.some((r) => r.method === 'supervised' && r.variant !== 'none')).toBe(false);
    expect(matrix).toMatchObject({
      name: 'ipixmatch on mnist', methods: ['supervised', 'fixmatch', 'unimatch'], variants: ['none', 'kl', 'correlation'],
      baselineVariant: 'none', supervisedMethods: ['supervised'], splits: ['1_64', '1_32'], seeds: [1, 2, 3],
    });
  });

  it('names runs stably, in the order of the file', () => {
    expect(matrix.runs.slice(0, 7).map((r) => r.id)).toEqual([
      'supervised+none/1_64/seed1', 'supervised+none/1_64/seed2', 'supervised+none/1_64/seed3',
      'supervised+none/1_32/seed1', 'supervised+none/1_32/seed2', 'supervised+none/1_32/seed3',
      'fixmatch+none/1_64/seed1',
    ]);
    expect(new Set(matrix.runs.map((r) => r.id)).size).toBe(matrix.runs.length);
    for (const r of matrix.runs) expect(r.dir).toBe(r.id);
    const again = expandMatrix(loadCompareConfig(tempFile('compare.yaml', compareYaml)));
    expect(again.runs.map((r) => r.id)).toEqual(matrix.runs.map((r) => r.id));
  });

  it('gives each run the full config of its cell, sharing nothing with other runs', () => {
    const run = matrix.runs.find((r) => r.id === 'fixmatch+kl/1_32/seed2')!;
    expect(run).toMatchObject({ method: 'fixmatch', variant: 'kl', split: '1_32', seed: 2 });
    expect(run.config.method).toEqual({ type: 'fixmatch', confThreshold: 0.95 });
    expect(run.config.regularizers).toEqual([{ type: 'ipixmatch', distance: 'kl', weight: 0.3 }]);
    expect(run.config.data).toEqual({ type: 'mnist-seg', split: '1_32', cropSize: 64 });
    expect(run.config.train).toMatchObject({ epochs: 2, batchSize: 4, seed: 2, lr: 0.001 });
    run.config.train.lr = 5;
    expect(matrix.runs.find((r) => r.id === 'fixmatch+kl/1_32/seed1')!.config.train.lr).toBe(0.001);
  });

  it('defaults the axes to the base run config', () => {
    const single = expandMatrix(parseCompareConfig({
      base: { method: { type: 'fixmatch' }, model: { type: 'tiny' }, data: { type: 'd', split: '1_8' }, train: { seed: 4 } },
    }));
    expect(single.runs.map((r) => r.id)).toEqual(['fixmatch+none/1_8/seed4']);
  });

  it('tells two methods of one type apart by label, which never reaches the method', () => {
    const m = expandMatrix(parseCompareConfig({
      base: { model: { type: 'tiny' }, data: { type: 'd' } },
      methods: [{ type: 'fixmatch', confThreshold: 0.9, label: 'fixmatch-t0.9' }, { type: 'fixmatch' }],
      splits: [92, '1_4'], seeds: [1],
    }));
    expect(m.runs.map((r) => r.id)).toEqual(['fixmatch-t0.9+none/92/seed1', 'fixmatch-t0.9+none/1_4/seed1', 'fixmatch+none/92/seed1', 'fixmatch+none/1_4/seed1']);
    expect(m.runs[0].config.method).toEqual({ type: 'fixmatch', confThreshold: 0.9 });
    expect(m.runs[0].config.data.split).toBe('92');
  });

  it('lists the supervised methods by label, as the compare file names their types', () => {
    const base = { model: { type: 'tiny' }, data: { type: 'd', split: '1_4' } };
    const methods = [{ type: 'supervised', label: 'labels-only' }, { type: 'fixmatch' }, { type: 'mean-teacher' }];
    expect(expandMatrix(parseCompareConfig({ base, methods })).supervisedMethods).toEqual(['labels-only']);
    expect(expandMatrix(parseCompareConfig({ base, methods, supervisedMethods: ['supervised', 'mean-teacher'] })).supervisedMethods)
      .toEqual(['labels-only', 'mean-teacher']);
  });

  it('round-trips through matrix.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-matrix-'));
    writeMatrixIndex(dir, matrix);
    expect(readMatrixIndex(dir)).toEqual(matrix);
    expect(fs.readdirSync(dir)).toEqual(['matrix.json']);
  });

  it('reads an index written before it recorded the supervised methods as the default supervised type', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-matrix-'));
    const file = writeMatrixIndex(dir, matrix);
    const { supervisedMethods: _recorded, ...older } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify(older));
    expect(readMatrixIndex(dir).supervisedMethods).toEqual(['supervised']);
  });

  it('rejects a bad matrix.json naming the file and path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-matrix-'));
    expect(() => readMatrixIndex(dir)).toThrow(/matrix\.json: no comparison index here/);
    writeMatrixIndex(dir, matrix);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'matrix.json'), 'utf8'));
    index.runs[3].seed = 'two';
    fs.writeFileSync(path.join(dir, 'matrix.json'), JSON.stringify(index));
    expect(() => readMatrixIndex(dir)).toThrow(/matrix\.json: invalid comparison index:\n {2}runs\[3\]\.seed: /);
  });
});

describe('compare config errors', () => {
  const base = { model: { type: 'tiny' }, data: { type: 'd', split: '1_8' } };
  const message = (raw: unknown) => {
    try {
      parseCompareConfig(raw, 'cmp.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('names the config path of a bad base config', () => {
    expect(message({ base: { ...base, train: { lr: 'fast' } } })).toMatch(/^cmp\.yaml: invalid compare config:\n {2}base\.train\.lr: .*number/);
    expect(message({ base: { data: { type: 'd' } } })).toMatch(/base\.model: /);
  });

  it('names the config path of a bad axis', () => {
    expect(message({ base, methods: [{ confThreshold: 0.9 }] })).toMatch(/methods\[0\]\.type: /);
    expect(message({ base, methods: [{ type: 'fixmatch' }, { type: 'fixmatch' }] })).toMatch(/methods\[1\]: duplicate method label 'fixmatch'/);
    expect(message({ base, variants: { kl: [{ weight: 1 }] } })).toMatch(/variants\.kl\[0\]\.type: /);
    expect(message({ base, variants: { 'a/b': [] } })).toMatch(/variants\.a\/b: .*must start with a letter/);
    expect(message({ base, splits: ['1/64'] })).toMatch(/splits\[0\]: /);
    expect(message({ base, seeds: [1, 1.5] })).toMatch(/seeds\[1\]: /);
    expect(message({ base, seeds: [3, 3] })).toMatch(/seeds\[1\]: duplicate seed 3/);
    expect(message({ base, variants: { none: [] }, baselineVariant: 'off' })).toMatch(/baselineVariant: 'off' is not one of the variants/);
    expect(message({ base: { ...base, data: { type: 'd' } } })).toMatch(/splits: give the splits/);
    expect(message({ base, seed: 3 })).toContain("\n  seed: unknown key; did you mean 'seeds'?");
  });

  it('names an unknown key of the base run config and the key meant, as a run config does', () => {
    expect(message({ base: { ...base, regularisers: [] } })).toContain("\n  base.regularisers: unknown key; did you mean 'regularizers'?");
    expect(message({ base: { ...base, train: { maxStep: 3 } } })).toContain("\n  base.train.maxStep: unknown key; did you mean 'maxSteps'?");
  });

  it('names the file and line of a YAML syntax error, and a missing file', () => {
    const file = tempFile('bad.yaml', 'base: { model: [\n');
    expect(() => loadCompareConfig(file)).toThrow(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: invalid YAML`));
    expect(() => loadCompareConfig('/nonexistent/compare.yaml')).toThrow(/\/nonexistent\/compare\.yaml: cannot read config/);
    const typo = tempFile('typo.yaml', compareYaml.replace('seeds: [1, 2, 3]', 'seeds: [1, x]'));
    expect(() => loadCompareConfig(typo)).toThrow(new RegExp(`${typo.replace(/[.]/g, '\\.')}: invalid compare config:\n {2}seeds\\[1\\]: `));
  });
});

describe('a compare file with overrides and extends:', () => {
  it('applies --set from the file top, --seed as the one seed, --threads to the base', () => {
    const file = tempFile('compare.yaml', compareYaml);
    const c = loadCompareConfig(file, { set: ['base.train.maxSteps=5', 'splits=[1_64]'], seed: 2, threads: 1 });
    expect(c.seeds).toEqual([2]);
    expect(c.splits).toEqual(['1_64']);
    expect(c.base.train).toMatchObject({ maxSteps: 5, epochs: 2 });
    expect(c.base.engine.threads).toBe(1);
    const runs = expandMatrix(c).runs;
    expect(runs.every((r) => r.config.train.seed === 2 && r.config.train.maxSteps === 5 && r.config.data.split === '1_64')).toBe(true);
  });

  it('names the file, the flags and the key meant', () => {
    const file = tempFile('compare.yaml', compareYaml);
    expect(() => loadCompareConfig(file, { set: ['base.train.maxStep=5'] }))
      .toThrow(`${file} (with --set base.train.maxStep=5): invalid compare config:\n  base.train.maxStep: unknown key; did you mean 'maxSteps'?`);
  });

  it('merges the base file it extends, relative to the file', () => {
    const file = tempFile('compare.yaml', compareYaml);
    const child = path.join(path.dirname(file), 'child.yaml');
    fs.writeFileSync(child, 'extends: compare.yaml\nname: child\nseeds: [4]\nbase: { train: { batchSize: 2 } }\n');
    const c = loadCompareConfig(child);
    expect(c.name).toBe('child');
    expect(c.seeds).toEqual([4]);
    expect(c.base.train).toMatchObject({ batchSize: 2, epochs: 2, seed: 7 });
    expect(c.methods).toHaveLength(3);
  });

  it('says that a run config is one and names ssseg train', () => {
    const file = tempFile('run.yaml', 'model: { type: tiny }\ndata: { type: mnist-seg }\n');
    expect(() => loadCompareConfig(file)).toThrow(`${file}: this is a run config (it has 'model:' and no 'base:'): train it with 'ssseg train --config'`);
  });
});

describe('the README example', () => {
  it('is a valid compare file that plans what the README says', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const m = expandMatrix(loadCompareConfig(tempFile('readme.yaml', yaml)));
    expect(m.runs).toHaveLength((1 + 3 + 3) * 2 * 3);
    expect(m.runs.map((r) => r.id)).toContain('fixmatch+kl/1_64/seed1');
    expect(m.skipped.map((s) => `${s.method}+${s.variant}`)).toEqual(['supervised+kl', 'supervised+correlation']);
  });
});
