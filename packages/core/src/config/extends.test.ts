import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mergeConfigs, readConfigTree } from './extends';
import { loadRunConfig } from './load';
import { withoutUnsetKeys } from './config-tree';

/** Writes the files into a fresh temporary folder; returns the folder. */
function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-extends-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('mergeConfigs', () => {
  it('merges sections key by key, the override winning', () => {
    expect(mergeConfigs({ train: { lr: 0.1, epochs: 3 }, data: { type: 'd', split: 'a' } }, { train: { lr: 0.2 }, data: { split: 'b' } }))
      .toEqual({ train: { lr: 0.2, epochs: 3 }, data: { type: 'd', split: 'b' } });
  });

  it('replaces lists and scalars whole', () => {
    expect(mergeConfigs({ regularizers: [{ type: 'a', weight: 1 }, { type: 'b' }] }, { regularizers: [{ type: 'c' }] }))
      .toEqual({ regularizers: [{ type: 'c' }] });
    expect(mergeConfigs({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
  });

  it("replaces a component dict of another type (the base's options belong to the other component)", () => {
    expect(mergeConfigs({ method: { type: 'unimatch', confThreshold: 0.95 } }, { method: { type: 'fixmatch' } }))
      .toEqual({ method: { type: 'fixmatch' } });
    expect(mergeConfigs({ method: { type: 'unimatch', confThreshold: 0.95 } }, { method: { type: 'unimatch', x: 1 } }))
      .toEqual({ method: { type: 'unimatch', confThreshold: 0.95, x: 1 } });
  });

  it('does not change its arguments, and keeps a __proto__ key as data', () => {
    const base = { train: { lr: 0.1 } };
    const override = JSON.parse('{"train": {"lr": 0.2}, "__proto__": {"polluted": true}}');
    const merged = mergeConfigs(base, override) as Record<string, unknown>;
    expect(base).toEqual({ train: { lr: 0.1 } });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['train', '__proto__']);
  });
});

describe('extends', () => {
  const base = [
    'method: { type: unimatch, confThreshold: 0.95 }',
    'model: { type: unet, channels: 8 }',
    'data: { type: mnist-seg, split: 1_16 }',
    'train: { lr: 0.003, epochs: 4, optimizer: { type: adam } }',
    'regularizers: [{ type: ipixmatch, weight: 0.3 }]',
  ].join('\n');

  it('merges the base under the file, relative to the file, not the working directory', () => {
    const dir = folderWith({ 'configs/base.yaml': base, 'configs/split/1_64.yaml': 'extends: ../base.yaml\ndata: { split: 1_64 }\ntrain: { lr: 0.01 }\n' });
    const config = loadRunConfig(path.join(dir, 'configs/split/1_64.yaml'));
    expect(config.data).toEqual({ type: 'mnist-seg', split: '1_64' });
    expect(config.train).toMatchObject({ lr: 0.01, epochs: 4, optimizer: { type: 'adam' } });
    expect(config.method).toEqual({ type: 'unimatch', confThreshold: 0.95 });
    expect(config.regularizers).toEqual([{ type: 'ipixmatch', weight: 0.3 }]);
  });

  it('chains, and merges a list of bases in order before the file', () => {
    const dir = folderWith({
      'a.yaml': base,
      'b.yaml': 'extends: a.yaml\ntrain: { epochs: 9 }\n',
      'seed.yaml': 'train: { seed: 7, epochs: 2 }\n',
      'c.yaml': 'extends: [b.yaml, seed.yaml]\nregularizers: []\n',
    });
    const config = loadRunConfig(path.join(dir, 'c.yaml'));
    expect(config.train).toMatchObject({ lr: 0.003, epochs: 2, seed: 7 });
    expect(config.regularizers).toEqual([]);
  });

  it('reads JSON and YAML bases alike', () => {
    const dir = folderWith({ 'base.json': JSON.stringify({ model: { type: 'unet' }, data: { type: 'mnist-seg' } }), 'run.yaml': 'extends: base.json\ntrain: { seed: 3 }\n' });
    expect(loadRunConfig(path.join(dir, 'run.yaml'))).toMatchObject({ model: { type: 'unet' }, train: { seed: 3 } });
  });

  it('refuses a cycle, naming the files in order', () => {
    const dir = folderWith({ 'a.yaml': 'extends: b.yaml\n', 'b.yaml': 'extends: sub/c.yaml\n', 'sub/c.yaml': 'extends: ../a.yaml\n' });
    const message = errorOf(() => readConfigTree(path.join(dir, 'a.yaml')));
    expect(message).toMatch(/c\.yaml: extends: cycle .*a\.yaml -> .*b\.yaml -> .*sub\/c\.yaml -> .*a\.yaml$/);
    expect(errorOf(() => readConfigTree(path.join(folderWith({ 'self.yaml': 'extends: self.yaml\n' }), 'self.yaml')))).toMatch(/extends: cycle .*self\.yaml -> .*self\.yaml/);
  });

  it('names a missing base with the file that names it and the path looked for', () => {
    const dir = folderWith({ 'run.yaml': 'extends: ../nowhere/base.yaml\n' });
    const message = errorOf(() => readConfigTree(path.join(dir, 'run.yaml')));
    expect(message).toContain(`run.yaml: extends: '../nowhere/base.yaml' not found (looked for `);
    expect(message).toContain(path.join('nowhere', 'base.yaml'));
  });

  it('names a base with a syntax error by its own file and line', () => {
    const dir = folderWith({ 'base.yaml': 'model: { type: unet\n', 'run.yaml': 'extends: base.yaml\n' });
    expect(errorOf(() => readConfigTree(path.join(dir, 'run.yaml')))).toMatch(/base\.yaml:\d+:\d+: invalid YAML/);
  });

  it('refuses an extends that is no file name', () => {
    for (const value of ['3', '[]', '{ a: 1 }', "['']"]) {
      const dir = folderWith({ 'run.yaml': `extends: ${value}\n` });
      expect(errorOf(() => readConfigTree(path.join(dir, 'run.yaml')))).toMatch(/run\.yaml: extends: expected a file name/);
    }
  });

  it('validates the merged config, naming the file', () => {
    const dir = folderWith({ 'base.yaml': base, 'run.yaml': 'extends: base.yaml\ntrain: { lrr: 0.1 }\n' });
    expect(errorOf(() => loadRunConfig(path.join(dir, 'run.yaml')))).toMatch(/run\.yaml: invalid config:\n {2}train\.lrr: unknown key; did you mean 'lr'\?/);
  });
});

describe('null unsets a key', () => {
  const base = 'model: { type: deeplabv3plus, backbone: { type: resnet, depth: 18, pretrained: weights/r18.pth } }\ndata: { type: mnist-seg }\n';

  it('drops a key the extended file sets, so the default applies (training from scratch)', () => {
    const dir = folderWith({ 'base.yaml': base, 'scratch.yaml': 'extends: base.yaml\nmodel: { backbone: { pretrained: null } }\n' });
    const config = loadRunConfig(path.join(dir, 'scratch.yaml'));
    expect(config.model.backbone).toEqual({ type: 'resnet', depth: 18 });
  });

  it("drops a key through --set PATH=null, and 'null' in quotes stays a string", () => {
    const dir = folderWith({ 'base.yaml': base });
    const unset = loadRunConfig(path.join(dir, 'base.yaml'), { set: ['model.backbone.pretrained=null'] });
    expect(unset.model.backbone).toEqual({ type: 'resnet', depth: 18 });
    const quoted = loadRunConfig(path.join(dir, 'base.yaml'), { set: ["model.backbone.pretrained='null'"] });
    expect((quoted.model.backbone as { pretrained: string }).pretrained).toBe('null');
  });

  it('unsets at any depth of a value set whole, and keeps list items', () => {
    expect(withoutUnsetKeys({ a: null, b: { c: null, d: 1 }, e: [null, { f: null, g: 2 }] })).toEqual({ b: { d: 1 }, e: [null, { g: 2 }] });
  });
});

describe("folders in a config's plugins:", () => {
  it('resolve relative to the file that names them (a base through extends: to its own folder); package names stay', () => {
    const dir = folderWith({
      'base/base.yaml': 'plugins: [../plugins/from-base]\n',
      'configs/run.yaml': "extends: ../base/base.yaml\nplugins: ['./local-plugin', '../plugins/consistency', '@acme/ssseg-plugin-x', '/abs/plugin']\n",
    });
    expect(readConfigTree(path.join(dir, 'base/base.yaml'))).toEqual({ plugins: [path.join(dir, 'plugins/from-base')] });
    expect((readConfigTree(path.join(dir, 'configs/run.yaml')) as { plugins: string[] }).plugins).toEqual([
      path.join(dir, 'configs/local-plugin'), path.join(dir, 'plugins/consistency'), '@acme/ssseg-plugin-x', '/abs/plugin',
    ]);
  });
});
